package dev.flowgate.local;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import dev.flowgate.aws.Environment;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LocalShellSettingsTest {
    private static final Environment FUNCTIONS = Environment.of(Map.of(
            "AWS_ENDPOINT_URL", "http://127.0.0.1:4566", "AWS_REGION", "eu-west-1",
            "FLOWGATE_LOCAL_URL", "http://127.0.0.1:8080", "FLOWGATE_RESOURCE_PREFIX", "team1",
            "FLOWGATE_LOCAL_GIT_ROOT", "/tmp/my git",
            "FLOWGATE_REPOSITORIES", "acme/ml:main:experimental=feature/*|exp-*"));

    /** What a shell holds after evaluating the lines: the real bash is the judge of the quoting. */
    private static Map<String, String> evaluated(List<String> lines) throws Exception {
        String script = String.join("\n", lines) + "\nenv -0\n";
        Process bash = new ProcessBuilder("bash", "--noprofile", "--norc", "-c", script).start();
        String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bash.waitFor()).isZero();
        Map<String, String> env = new LinkedHashMap<>();
        for (String entry : out.split("\0")) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                env.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        return env;
    }

    @Test
    void exportLines_holdEverythingARunAndADeployNeed_andSurviveTheShell() throws Exception {
        Map<String, String> shell = evaluated(LocalShellSettings.exportLines(FUNCTIONS));

        assertThat(shell).containsEntry("AWS_REGION", "eu-west-1").as("boto3 reads only this one")
                .containsEntry("AWS_DEFAULT_REGION", "eu-west-1")
                .containsEntry("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
                .containsEntry("AWS_ACCESS_KEY_ID", "testing")
                .containsEntry("METAFLOW_SERVICE_URL", "http://127.0.0.1:8080")
                .containsEntry("METAFLOW_DEFAULT_METADATA", "service")
                .containsEntry("METAFLOW_DEFAULT_DATASTORE", "s3")
                .containsEntry("METAFLOW_DATASTORE_SYSROOT_S3", "s3://team1-datastore/metaflow")
                .containsEntry("METAFLOW_S3_ENDPOINT_URL", "http://127.0.0.1:4566")
                .containsEntry("METAFLOW_FEAT_ALWAYS_UPLOAD_CODE_PACKAGE", "true")
                .containsEntry("FLOWGATE_LOCAL_URL", "http://127.0.0.1:8080")
                .containsEntry("FLOWGATE_RESOURCE_PREFIX", "team1")
                .containsEntry("FLOWGATE_LOCAL_GIT_ROOT", "/tmp/my git")
                .containsEntry("FLOWGATE_REPOSITORIES", "acme/ml:main:experimental=feature/*|exp-*");
    }

    @Test
    void quote_leavesPlainWordsAlone_andSingleQuotesTheRest() {
        assertThat(LocalShellSettings.quote("s3://b/metaflow")).isEqualTo("s3://b/metaflow");
        assertThat(LocalShellSettings.quote("it's")).isEqualTo("'it'\\''s'");
    }

    @Test
    void servesTheLinesAsText_andOnlyToGet() {
        LocalShellSettings handler = new LocalShellSettings(FUNCTIONS);
        var get = handler.handleRequest(new APIGatewayProxyRequestEvent().withHttpMethod("GET"), null);
        assertThat(get.getStatusCode()).isEqualTo(200);
        assertThat(get.getBody()).startsWith("export AWS_ENDPOINT_URL=http://127.0.0.1:4566\n");
        assertThat(handler.handleRequest(new APIGatewayProxyRequestEvent().withHttpMethod("POST"), null).getStatusCode())
                .isEqualTo(405);
    }
}
