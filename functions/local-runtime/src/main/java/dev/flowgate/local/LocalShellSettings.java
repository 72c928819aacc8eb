package dev.flowgate.local;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import dev.flowgate.aws.Environment;
import dev.flowgate.model.resources.FlowgateResources;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Every setting a shell needs to run flows against this local platform and to deploy to it, as {@code export}
 * lines: the AWS emulator (endpoint, region under both names boto3 and the SDKs read, credentials), the metadata
 * service, the team's S3 datastore on the emulator (so runs upload code packages the deployer can verify), and the
 * platform itself (FLOWGATE_LOCAL_URL, resource prefix, repositories, git root). {@code scripts/platform} prints
 * them; {@code GET /local/env} serves them for {@code eval "$(scripts/flowgate env)"}.
 */
public final class LocalShellSettings implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {
    public static final String MOUNT = "/local/env";
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

    private final List<String> lines;

    LocalShellSettings(Environment functionEnv) {
        this.lines = exportLines(functionEnv);
    }

    /** The export lines for the platform whose functions run with {@code functionEnv}. */
    static List<String> exportLines(Environment functionEnv) {
        String emulator = functionEnv.require("AWS_ENDPOINT_URL");
        String region = functionEnv.get("AWS_REGION", "us-east-1");
        String localUrl = functionEnv.require("FLOWGATE_LOCAL_URL");
        String prefix = functionEnv.get("FLOWGATE_RESOURCE_PREFIX", FlowgateResources.DEFAULT_PREFIX);
        String datastore = "s3://" + new FlowgateResources(prefix).physicalName(FlowgateResources.DATASTORE.logicalName())
                + "/metaflow";
        List<String> out = new ArrayList<>();
        out.add(export("AWS_ENDPOINT_URL", emulator));
        out.add(export("AWS_REGION", region, "AWS_DEFAULT_REGION", region));
        out.add(export("AWS_ACCESS_KEY_ID", "testing", "AWS_SECRET_ACCESS_KEY", "testing"));
        out.add(export("METAFLOW_SERVICE_URL", localUrl, "METAFLOW_DEFAULT_METADATA", "service"));
        out.add(export("METAFLOW_DEFAULT_DATASTORE", "s3", "METAFLOW_DATASTORE_SYSROOT_S3", datastore,
                "METAFLOW_S3_ENDPOINT_URL", emulator));
        // no step runs remotely on a laptop: without this Metaflow uploads no code package, and the gate has nothing
        // to compare with git
        out.add(export("METAFLOW_FEAT_ALWAYS_UPLOAD_CODE_PACKAGE", "true"));
        out.add(export("FLOWGATE_LOCAL_URL", localUrl, "FLOWGATE_RESOURCE_PREFIX", prefix));
        out.add(export("FLOWGATE_LOCAL_GIT_ROOT", LocalPlatform.gitRoot(functionEnv).toString()));
        functionEnv.get("FLOWGATE_REPOSITORIES").ifPresent(r -> out.add(export("FLOWGATE_REPOSITORIES", r)));
        return List.copyOf(out);
    }

    private static String export(String... namesAndValues) {
        StringBuilder line = new StringBuilder("export");
        for (int i = 0; i < namesAndValues.length; i += 2) {
            line.append(' ').append(namesAndValues[i]).append('=').append(quote(namesAndValues[i + 1]));
        }
        return line.toString();
    }

    /** A value as one shell word: as is when it holds nothing the shell interprets, else single-quoted. */
    static String quote(String value) {
        return PLAIN.matcher(value).matches() ? value : "'" + value.replace("'", "'\\''") + "'";
    }

    @Override
    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent request, Context context) {
        if (!"GET".equalsIgnoreCase(request.getHttpMethod())) {
            return new APIGatewayProxyResponseEvent().withStatusCode(405)
                    .withHeaders(Map.of("Content-Type", "text/plain; charset=utf-8")).withBody("GET only\n");
        }
        return new APIGatewayProxyResponseEvent().withStatusCode(200)
                .withHeaders(Map.of("Content-Type", "text/plain; charset=utf-8"))
                .withBody(String.join("\n", lines) + "\n");
    }
}
