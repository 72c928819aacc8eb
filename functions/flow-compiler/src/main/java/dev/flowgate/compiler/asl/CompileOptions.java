package dev.flowgate.compiler.asl;

import dev.flowgate.model.limits.StepFunctionsLimits;

import java.util.Map;
import java.util.Objects;

/**
 * What one deployment adds to the flow: the verified code package, the {@code @project} branch, the
 * production token and the owner ({@code metaflow.owner}), and how foreach and the whole run are bounded.
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
 */
public record CompileOptions(DeploymentSettings settings, String codePackageUrl, String codePackageSha,
                             String codePackageMetadata, String branch, boolean production, String productionToken,
                             String owner, String metaflowVersion, int maxWorkers, boolean distributedMap,
                             int workflowTimeoutSeconds, Map<String, String> includedFiles, String codePackageSha256) {
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

    public CompileOptions(DeploymentSettings settings, String codePackageUrl, String codePackageSha,
                          String codePackageMetadata, String branch, boolean production, String productionToken,
                          String owner, String metaflowVersion, int maxWorkers, boolean distributedMap,
                          int workflowTimeoutSeconds) {
        this(settings, codePackageUrl, codePackageSha, codePackageMetadata, branch, production, productionToken, owner,
                metaflowVersion, maxWorkers, distributedMap, workflowTimeoutSeconds, Map.of(), null);
    }

    /** The same options with the code package's SHA-256, which the containers check before extracting it. */
    public CompileOptions withCodePackageSha256(String sha256) {
        return new CompileOptions(settings, codePackageUrl, codePackageSha, codePackageMetadata, branch, production,
                productionToken, owner, metaflowVersion, maxWorkers, distributedMap, workflowTimeoutSeconds, includedFiles, sha256);
    }

    /** The same options with these uploaded {@code IncludeFile} defaults (parameter name → descriptor). */
    public CompileOptions withIncludedFiles(Map<String, String> descriptors) {
        return new CompileOptions(settings, codePackageUrl, codePackageSha, codePackageMetadata, branch, production,
                productionToken, owner, metaflowVersion, maxWorkers, distributedMap, workflowTimeoutSeconds, descriptors, codePackageSha256);
    }

    public static CompileOptions of(DeploymentSettings settings) {
        return new CompileOptions(settings, null, null, null, null, false, null, null, null, 0, false, 0);
    }

    /** The same options with foreach as Distributed Map (or inline Map). */
    public CompileOptions withDistributedMap(boolean distributed) {
        return new CompileOptions(settings, codePackageUrl, codePackageSha, codePackageMetadata, branch, production,
                productionToken, owner, metaflowVersion, maxWorkers, distributed, workflowTimeoutSeconds, includedFiles, codePackageSha256);
    }

    /** The same options with this execution timeout (0: none). */
    public CompileOptions withWorkflowTimeout(int seconds) {
        return new CompileOptions(settings, codePackageUrl, codePackageSha, codePackageMetadata, branch, production,
                productionToken, owner, metaflowVersion, maxWorkers, distributedMap, seconds, includedFiles, codePackageSha256);
    }

    /** The same options with this foreach concurrency. */
    public CompileOptions withMaxWorkers(int workers) {
        return new CompileOptions(settings, codePackageUrl, codePackageSha, codePackageMetadata, branch, production,
                productionToken, owner, metaflowVersion, workers, distributedMap, workflowTimeoutSeconds, includedFiles, codePackageSha256);
    }
}
