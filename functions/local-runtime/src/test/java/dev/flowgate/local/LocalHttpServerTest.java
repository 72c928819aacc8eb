package dev.flowgate.local;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LocalHttpServerTest {

    @Test
    void bind_turnsNaglesAlgorithmOffForTheJdkServer_soSmallResponsesAreNotDelayed() {
        System.clearProperty("sun.net.httpserver.nodelay");
        try (LocalHttpServer ignored = LocalHttpServer.bind(0, (String) null)) {
            assertThat(System.getProperty("sun.net.httpserver.nodelay")).isEqualTo("true");
        }
    }
}
