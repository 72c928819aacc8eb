package dev.flowgate.emulator;

import dev.flowgate.aws.Environment;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that hands a test an {@link AwsEmulator}: {@code @ExtendWith(AwsEmulatorExtension.class)}
 * and a constructor, lifecycle or test parameter of type {@code AwsEmulator}. One emulator serves the whole
 * test JVM (started on first use, stopped when the run ends); tests isolate themselves with
 * {@link AwsEmulator#uniqueName} prefixes, or {@link AwsEmulator#reset()} when they must.
 */
public final class AwsEmulatorExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(AwsEmulatorExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == AwsEmulator.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        try {
            return context.getRoot().getStore(NAMESPACE)
                    .getOrComputeIfAbsent("emulator", key -> new ClosingEmulator(AwsEmulator.start(Environment.system())),
                            ClosingEmulator.class)
                    .emulator();
        } catch (EmulatorStartException e) {
            throw new ParameterResolutionException(e.getMessage(), e);
        }
    }

    /** Closed by JUnit when the root context closes, i.e. after the last test. */
    private record ClosingEmulator(AwsEmulator emulator) implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        @Override
        public void close() {
            emulator.close();
        }
    }
}
