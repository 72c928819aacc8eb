package dev.flowgate.compiler.asl;

import dev.flowgate.model.limits.MetaflowTags;
import dev.flowgate.model.limits.StepFunctionsLimits;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one deployment adds to the flow: the verified code package, the {@code @project} branch, the
 * production token and the owner ({@code metaflow.owner}), and how foreach and the whole run are bounded. Build
 * one with {@link #builder()}: fourteen positional values are too easy to swap.
 *
 * @param branch                 null for production or a user branch name; with {@code production} → {@code prod.<branch>}
 * @param production             deploy as production ({@code --production})
 * @param maxWorkers             foreach concurrency ({@code MaxConcurrency} of the Map), 1 to 10,000; 0 → 100
 * @param distributedMap         run foreach bodies as Distributed Map child executions ({@code --use-distributed-map})
 * @param workflowTimeoutSeconds the execution's {@code TimeoutSeconds} ({@code --workflow-timeout}), 0 for none
 * @param includedFiles          per {@code IncludeFile} parameter, the descriptor of its uploaded default
 *                               ({@link IncludedFile#descriptor}); a parameter without one has no default
 * @param codePackageSha256      SHA-256 of the code package (64 lowercase hex digits); every container checks the
 *                               downloaded package against it before extracting it and stops otherwise. Null
 *                               compiles a placeholder no package matches: such a state machine never runs code.
 *                               A given {@code codePackageUrl} must be an {@code s3://} URL under the datastore
 *                               root or the verified-package prefix ({@link CodePackageLocation}).
 * @param tags                   tags on every run of the deployment ({@code step-functions create --tag}), in order;
 *                               checked as Metaflow checks them ({@link MetaflowTags})
 */
public record CompileOptions(DeploymentSettings settings, String codePackageUrl, String codePackageSha,
                             String codePackageMetadata, String branch, boolean production, String productionToken,
                             String owner, String metaflowVersion, int maxWorkers, boolean distributedMap,
                             int workflowTimeoutSeconds, Map<String, String> includedFiles, String codePackageSha256,
                             List<String> tags) {
    /** What an options without a digest compiles into the SHA-256 check: no package matches it. */
    public static final String NO_SHA256 = "<code-package-sha256>";

    public CompileOptions {
        Objects.requireNonNull(settings, "settings");
        String placeholderUrl = settings.datastoreRoot() + "/<code-package-url>";
        if (codePackageUrl != null && !codePackageUrl.equals(placeholderUrl)) {
            CodePackageLocation.bucketAndKey(codePackageUrl, settings.datastoreRoot());
        }
        codePackageSha256 = codePackageSha256 == null || codePackageSha256.equals(NO_SHA256) ? NO_SHA256 : CodePackageLocation.sha256(codePackageSha256);
        includedFiles = includedFiles == null ? Map.of() : Map.copyOf(includedFiles);
        tags = MetaflowTags.validate(tags);
        codePackageUrl = codePackageUrl == null ? placeholderUrl : codePackageUrl;
        codePackageSha = codePackageSha == null ? "<code-package-sha>" : codePackageSha;
        codePackageMetadata = codePackageMetadata == null
                ? "{\"version\": 0, \"archive_format\": \"tgz\", \"mfcontent_version\": 1}" : codePackageMetadata;
        productionToken = productionToken == null ? "<production-token>" : productionToken;
        owner = owner == null ? "flowgate" : owner;
        metaflowVersion = metaflowVersion == null ? "2.19.39" : metaflowVersion;
        maxWorkers = maxWorkers <= 0 ? 100 : StepFunctionsLimits.maxWorkers(Integer.toString(maxWorkers));
        if (workflowTimeoutSeconds != 0) {
            StepFunctionsLimits.workflowTimeoutSeconds(Integer.toString(workflowTimeoutSeconds));
        }
    }

    /** Options for these settings with every other value at its default: a placeholder package, production off. */
    public static CompileOptions of(DeploymentSettings settings) {
        return builder().settings(settings).build();
    }

    /**
     * Options named value by value; only {@code settings} is required, every other value left unset takes the
     * default the record documents (placeholders, {@code flowgate} as owner, 100 foreach workers, no timeout).
     */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options, for a copy that differs in a few values (validated again on build). */
    public Builder toBuilder() {
        return new Builder().settings(settings).codePackageUrl(codePackageUrl).codePackageSha(codePackageSha)
                .codePackageMetadata(codePackageMetadata).branch(branch).production(production)
                .productionToken(productionToken).owner(owner).metaflowVersion(metaflowVersion).maxWorkers(maxWorkers)
                .distributedMap(distributedMap).workflowTimeoutSeconds(workflowTimeoutSeconds)
                .includedFiles(includedFiles).codePackageSha256(codePackageSha256).tags(tags);
    }

    /** Collects {@link CompileOptions} by name; {@link #build()} applies the record's defaults and checks. */
    public static final class Builder {
        private DeploymentSettings settings;
        private String codePackageUrl;
        private String codePackageSha;
        private String codePackageMetadata;
        private String branch;
        private boolean production;
        private String productionToken;
        private String owner;
        private String metaflowVersion;
        private int maxWorkers;
        private boolean distributedMap;
        private int workflowTimeoutSeconds;
        private Map<String, String> includedFiles = Map.of();
        private String codePackageSha256;
        private List<String> tags = List.of();

        private Builder() {
        }

        public Builder settings(DeploymentSettings settings) {
            this.settings = settings;
            return this;
        }

        /** Null: a placeholder under the datastore root. */
        public Builder codePackageUrl(String codePackageUrl) {
            this.codePackageUrl = codePackageUrl;
            return this;
        }

        /** Null: a placeholder. */
        public Builder codePackageSha(String codePackageSha) {
            this.codePackageSha = codePackageSha;
            return this;
        }

        /** Null: the metadata of a version 0 tgz package. */
        public Builder codePackageMetadata(String codePackageMetadata) {
            this.codePackageMetadata = codePackageMetadata;
            return this;
        }

        public Builder branch(String branch) {
            this.branch = branch;
            return this;
        }

        public Builder production(boolean production) {
            this.production = production;
            return this;
        }

        /** Null: a placeholder. */
        public Builder productionToken(String productionToken) {
            this.productionToken = productionToken;
            return this;
        }

        /** Null: {@code flowgate}. */
        public Builder owner(String owner) {
            this.owner = owner;
            return this;
        }

        /** Null: the Metaflow version Flowgate pins. */
        public Builder metaflowVersion(String metaflowVersion) {
            this.metaflowVersion = metaflowVersion;
            return this;
        }

        /** 0: 100. */
        public Builder maxWorkers(int maxWorkers) {
            this.maxWorkers = maxWorkers;
            return this;
        }

        public Builder distributedMap(boolean distributedMap) {
            this.distributedMap = distributedMap;
            return this;
        }

        /** 0: no timeout. */
        public Builder workflowTimeoutSeconds(int workflowTimeoutSeconds) {
            this.workflowTimeoutSeconds = workflowTimeoutSeconds;
            return this;
        }

        /** Parameter name → descriptor of the uploaded {@code IncludeFile} default. */
        public Builder includedFiles(Map<String, String> includedFiles) {
            this.includedFiles = includedFiles;
            return this;
        }

        /** Null: a placeholder no package matches. */
        public Builder codePackageSha256(String codePackageSha256) {
            this.codePackageSha256 = codePackageSha256;
            return this;
        }

        /** Tags on every run ({@code --tag}); null or empty: none. */
        public Builder tags(List<String> tags) {
            this.tags = tags;
            return this;
        }

        /**
         * @throws NullPointerException     without settings
         * @throws IllegalArgumentException for a package URL, digest, worker count, timeout or tag the record refuses
         */
        public CompileOptions build() {
            return new CompileOptions(settings, codePackageUrl, codePackageSha, codePackageMetadata, branch, production,
                    productionToken, owner, metaflowVersion, maxWorkers, distributedMap, workflowTimeoutSeconds,
                    includedFiles, codePackageSha256, tags);
        }
    }
}
