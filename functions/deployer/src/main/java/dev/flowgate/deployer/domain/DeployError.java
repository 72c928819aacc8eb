package dev.flowgate.deployer.domain;

import java.util.List;

/**
 * A typed reason a deployment stops. Each subtype carries the {@link Outcome} it reports and a message a user
 * can act on (reused, cut to 140 characters, as the GitHub commit status description).
 */
public abstract sealed class DeployError extends RuntimeException {
    private final Outcome outcome;

    protected DeployError(Outcome outcome, String message, Throwable cause) {
        super(message, cause);
        this.outcome = outcome;
    }

    public Outcome outcome() {
        return outcome;
    }

    /** flowgate.yaml is missing or does not say what the deployer needs. */
    public static final class InvalidManifest extends DeployError {
        private final String field;

        public InvalidManifest(String field, String message) {
            super(Outcome.INVALID_MANIFEST, message, null);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    /** No successful run of the flow carries the prod_ready tag. */
    public static final class RunNotTaggedProdReady extends DeployError {
        public RunNotTaggedProdReady(String flow, String detail) {
            super(Outcome.NO_TAGGED_RUN, flow + ": " + detail
                    + "; tag a successful run with prod_ready (Run('" + flow + "/<id>').add_tag('prod_ready'))", null);
        }
    }

    /** The tagged run has no code package (it ran only locally) or the package is unusable. */
    public static final class NoCodePackage extends DeployError {
        public NoCodePackage(String flow, String detail) {
            super(Outcome.NO_CODE_PACKAGE, flow + ": " + detail, null);
        }
    }

    /**
     * The object at a code package's location is larger than the cap ({@link PackageLimits#maxArchiveBytes()}): refused
     * from its Content-Length before the body is read, or as soon as the body runs past the cap when the length was
     * missing or wrong. Its bytes are never held, so a huge object cannot exhaust the deployer's memory.
     */
    public static final class PackageTooLarge extends DeployError {
        private final String location;
        private final long cap;

        /** @param observed how the size showed, e.g. {@code Content-Length 300000000} */
        public PackageTooLarge(String location, long cap, String observed) {
            super(Outcome.NO_CODE_PACKAGE, "code package at " + location + " is larger than the cap of " + cap + " bytes ("
                    + observed + "); refused without reading it further", null);
            this.location = location;
            this.cap = cap;
        }

        public String location() {
            return location;
        }

        public long cap() {
            return cap;
        }
    }

    /** The code that produced the tagged run is not the code in git at the commit. */
    public static final class CodeMismatch extends DeployError {
        private final CodeComparison comparison;

        public CodeMismatch(String flow, CodeComparison comparison) {
            super(Outcome.MISMATCH, flow + ": the prod_ready run's code differs from git: " + comparison.summary(), null);
            this.comparison = comparison;
        }

        public CodeComparison comparison() {
            return comparison;
        }

        public List<String> files() {
            return comparison.differingFiles();
        }
    }

    /** The flow compiler refused the flow source. */
    public static final class CompileFailed extends DeployError {
        public CompileFailed(String flow, String message, Throwable cause) {
            super(Outcome.COMPILE_FAILED, flow + ": " + message, cause);
        }
    }

    /**
     * The compiled flow is not the graph the prod_ready run executed (its {@code _graph_info}), or that record cannot be
     * read or trusted: each difference names step, decorator, attribute, the run's value and the compiled value.
     */
    public static final class GraphMismatch extends DeployError {
        private final List<String> differences;

        public GraphMismatch(String flow, String summary, List<String> differences) {
            super(Outcome.GRAPH_MISMATCH, flow + ": " + summary, null);
            this.differences = List.copyOf(differences);
        }

        public List<String> differences() {
            return differences;
        }
    }

    /** Another deployment of the same flow and branch holds the lease. */
    public static final class Busy extends DeployError {
        public Busy(String flow, String holder) {
            super(Outcome.BUSY, flow + ": deployment " + holder + " of this flow is in progress; retry when it is done", null);
        }
    }

    /** A port could not do its job (network, AWS, GitHub). Retrying the request is safe. */
    public static final class Unavailable extends DeployError {
        public Unavailable(String message, Throwable cause) {
            super(Outcome.ERROR, message, cause);
        }
    }

    /** The commit to deploy is not on the ref the request names (or the ref does not exist). */
    public static final class CommitNotOnRef extends DeployError {
        public CommitNotOnRef(String message) {
            super(Outcome.COMMIT_NOT_ON_REF, message, null);
        }
    }

    /** Whether the commit is on its ref, or older than the live one, could not be checked: refuse, never proceed. */
    public static final class ProvenanceUnknown extends DeployError {
        public ProvenanceUnknown(String message, Throwable cause) {
            super(Outcome.ERROR, message, cause);
        }
    }

    /** An experimental branch of a flow without {@code @project}: it has only the production state machine. */
    public static final class ProjectRequired extends DeployError {
        public ProjectRequired(String flow, String branch) {
            super(Outcome.PROJECT_REQUIRED, flow + ": has no @project, so branch " + branch + " cannot deploy it: its only"
                    + " state machine is the production one; add @project(name=\"<project>\") to " + flow
                    + " to deploy branches to state machines of their own", null);
        }
    }
}
