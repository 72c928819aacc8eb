package dev.flowgate.metadata.handler;

import dev.flowgate.metadata.fixture.InMemoryMetadataStore;
import dev.flowgate.metadata.port.MetadataStore;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The API contract against the in-memory store: fast, no emulator. */
class MetadataApiTest extends MetadataApiContract {
    private final InMemoryMetadataStore store = new InMemoryMetadataStore();

    @Override
    protected MetadataStore store() {
        return store;
    }

    @Test
    void tagMutation_whenNothingChanges_writesNothing() {
        String flow = flowName("N");
        long run = newRun(flow);
        int before = store.writes();
        ok("PATCH", "/flows/" + flow + "/runs/" + run + "/tag/mutate", "{\"tags_to_add\":[\"team\"],\"tags_to_remove\":[\"absent\"]}");
        assertThat(store.writes()).isEqualTo(before);
    }
}
