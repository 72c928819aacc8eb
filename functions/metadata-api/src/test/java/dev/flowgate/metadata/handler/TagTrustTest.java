package dev.flowgate.metadata.handler;

import dev.flowgate.metadata.fixture.InMemoryMetadataStore;
import dev.flowgate.metadata.port.MetadataStore;

/** Tag trust on the in-memory store: fast, no emulator. */
class TagTrustTest extends TagTrustContract {
    private final InMemoryMetadataStore store = new InMemoryMetadataStore();

    @Override
    protected MetadataStore store() {
        return store;
    }
}
