package dev.flowgate.emulator;

import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;

import java.net.URI;

/**
 * LocalStack through Testcontainers, for machines with a Docker engine ({@code -Dflowgate.emulator=localstack}).
 * No machine this project is built on has Docker or a container registry, so this path is untested here;
 * moto is the default everywhere.
 */
final class LocalStackEmulator implements AutoCloseable {
    static final String IMAGE = System.getProperty("flowgate.localstack.image", "localstack/localstack:4.4");

    private final LocalStackContainer container;

    private LocalStackEmulator(LocalStackContainer container) {
        this.container = container;
    }

    static LocalStackEmulator start() {
        try {
            LocalStackContainer container = new LocalStackContainer(DockerImageName.parse(IMAGE));
            container.start();
            return new LocalStackEmulator(container);
        } catch (NoClassDefFoundError e) {
            throw new EmulatorStartException("LocalStack needs org.testcontainers:localstack on the test classpath", e);
        } catch (RuntimeException e) {
            throw new EmulatorStartException("cannot start LocalStack (is a Docker engine running?): " + e.getMessage(), e);
        }
    }

    URI endpoint() {
        return container.getEndpoint();
    }

    String region() {
        return container.getRegion();
    }

    @Override
    public void close() {
        container.stop();
    }
}
