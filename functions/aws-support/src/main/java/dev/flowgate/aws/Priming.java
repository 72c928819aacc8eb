package dev.flowgate.aws;

import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;

/**
 * SnapStart priming: a handler registers what warms it (SDK clients, Jackson, its routing) and Lambda runs it
 * once before taking the snapshot ({@code beforeCheckpoint}), so every restored container starts with those
 * classes loaded and initialised. Outside SnapStart (plain JVM, tests, local runtime) nothing runs unless
 * {@link #primeNow()} is called (the startup benchmark does, to measure what priming buys).
 */
public final class Priming implements Resource {
    private static final Logger LOG = LoggerFactory.getLogger(Priming.class);
    private final String function;
    private final Runnable prime;

    private Priming(String function, Runnable prime) {
        this.function = function;
        this.prime = prime;
    }

    /** Registers {@code prime} with CRaC; keep the returned object referenced (CRaC holds resources weakly). */
    public static Priming register(String function, Runnable prime) {
        Priming priming = new Priming(function, prime);
        Core.getGlobalContext().register(priming);
        return priming;
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        primeNow();
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // nothing: clients reconnect on first use, credentials come from the restored environment
    }

    /** Runs the priming; a failure costs only the priming, never the snapshot. */
    public void primeNow() {
        long start = System.nanoTime();
        try {
            // Powertools Logging's own start (log level, logging manager) without marking the cold start as done
            PowertoolsLogging.clearState(true);
            prime.run();
            // also warms the logging path (layout, appender) a first request would otherwise pay for
            LOG.info("{} primed for the snapshot in {} ms", function, (System.nanoTime() - start) / 1_000_000);
        } catch (RuntimeException e) {
            LOG.warn("{}: priming failed ({}); the snapshot is taken unprimed", function, e.toString());
        }
    }
}
