package dev.flowgate.metadata.domain;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class MetadataServiceTest {

    @Test
    void heartbeatCapable_followsTheReferenceVersionRule() {
        assertThat(MetadataService.heartbeatCapable(Set.of("metaflow_version:2.19.39"))).isTrue();
        assertThat(MetadataService.heartbeatCapable(Set.of("metaflow_version:2.2.12"))).isTrue();
        assertThat(MetadataService.heartbeatCapable(Set.of("metaflow_version:2.2.11"))).isFalse();
        assertThat(MetadataService.heartbeatCapable(Set.of("metaflow_version:1.14.0"))).isTrue();
        assertThat(MetadataService.heartbeatCapable(Set.of("metaflow_version:1.13.9"))).isFalse();
        assertThat(MetadataService.heartbeatCapable(Set.of("metaflow_version:2.12.5+netflix-ext(1.0)"))).isTrue();
        assertThat(MetadataService.heartbeatCapable(Set.of("metaflow_version:custom-build"))).isTrue();
        assertThat(MetadataService.heartbeatCapable(Set.of("user:ann"))).isFalse();
    }
}
