package dev.flowgate.compiler.asl;

import java.util.Objects;

/**
 * What one deployment adds to the flow: the verified code package, the {@code @project} branch, the
 * production token and the owner ({@code metaflow.owner}).
 *
 * @param branch       null for production or a user branch name; with {@code production} → {@code prod.<branch>}
 * @param production   deploy as production ({@code --production})
 * @param maxWorkers   foreach concurrency ({@code MaxConcurrency} of the Map)
 */
public record CompileOptions(DeploymentSettings settings, String codePackageUrl, String codePackageSha,
                             String codePackageMetadata, String branch, boolean production, String productionToken,
                             String owner, String metaflowVersion, int maxWorkers) {
    public CompileOptions {
        Objects.requireNonNull(settings, "settings");
        codePackageUrl = codePackageUrl == null ? settings.datastoreRoot() + "/<code-package-url>" : codePackageUrl;
        codePackageSha = codePackageSha == null ? "<code-package-sha>" : codePackageSha;
        codePackageMetadata = codePackageMetadata == null
                ? "{\"version\": 0, \"archive_format\": \"tgz\", \"mfcontent_version\": 1}" : codePackageMetadata;
        productionToken = productionToken == null ? "<production-token>" : productionToken;
        owner = owner == null ? "flowgate" : owner;
        metaflowVersion = metaflowVersion == null ? "2.19.39" : metaflowVersion;
        maxWorkers = maxWorkers <= 0 ? 100 : maxWorkers;
    }

    public static CompileOptions of(DeploymentSettings settings) {
        return new CompileOptions(settings, null, null, null, null, false, null, null, null, 0);
    }
}
