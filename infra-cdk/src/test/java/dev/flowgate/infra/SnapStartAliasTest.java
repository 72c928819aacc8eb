package dev.flowgate.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.assertions.Template;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SnapStart does nothing on {@code $LATEST}: read from the synthesized template, every Java function has SnapStart
 * on published versions and a {@code live} alias on its current version, and every trigger — API Gateway
 * integrations, EventBridge targets, asynchronous-invoke settings, the Jenkins invoke permission and the functions'
 * own invoke grants and settings — names that alias, never the bare function.
 */
class SnapStartAliasTest {
    private static final Set<String> TRIGGER_TYPES = Set.of("AWS::ApiGateway::Method", "AWS::Events::Rule",
            "AWS::Lambda::Permission", "AWS::Lambda::EventInvokeConfig", "AWS::IAM::Policy");
    static JsonNode resources;

    @BeforeAll
    static void synthesize() throws Exception {
        String json = Files.readString(Path.of("teams/example.json"))
                .replaceAll("functions/[a-z-]+/target/[a-z-]+-lambda\\.jar", "placeholder-asset");
        FlowgateApp.Stacks stacks = FlowgateApp.build(new App(), TeamSettings.parse(json), Path.of("src/test/resources"));
        resources = new ObjectMapper().valueToTree(Template.fromStack(stacks.controlPlane()).toJSON()).get("Resources");
    }

    /** Logical ids of the Java functions (CDK's own helper functions run other runtimes). */
    private static List<String> javaFunctions() {
        List<String> ids = new ArrayList<>();
        resources.fields().forEachRemaining(e -> {
            if (e.getValue().path("Type").asText().equals("AWS::Lambda::Function")
                    && e.getValue().at("/Properties/Runtime").asText().startsWith("java")) {
                ids.add(e.getKey());
            }
        });
        return ids;
    }

    private static Map<String, JsonNode> ofType(String type) {
        Map<String, JsonNode> found = new LinkedHashMap<>();
        resources.fields().forEachRemaining(e -> {
            if (e.getValue().path("Type").asText().equals(type)) {
                found.put(e.getKey(), e.getValue());
            }
        });
        return found;
    }

    @Test
    void everyJavaFunction_hasSnapStartOnPublishedVersions_andALiveAliasOnItsCurrentVersion() {
        List<String> functions = javaFunctions();
        assertThat(functions).as("webhook, deployer, alerter, metadata API").hasSize(4);
        Map<String, JsonNode> versions = ofType("AWS::Lambda::Version");
        Map<String, JsonNode> aliases = ofType("AWS::Lambda::Alias");
        for (String function : functions) {
            assertThat(resources.at("/" + function + "/Properties/SnapStart/ApplyOn").asText()).as(function)
                    .isEqualTo("PublishedVersions");
            String version = versions.entrySet().stream()
                    .filter(v -> v.getValue().at("/Properties/FunctionName/Ref").asText().equals(function))
                    .map(Map.Entry::getKey).findFirst().orElseThrow(() -> new AssertionError(function + " publishes no version"));
            assertThat(aliases.values()).as(function + " has a live alias on " + version).anySatisfy(alias -> {
                assertThat(alias.at("/Properties/Name").asText()).isEqualTo("live");
                assertThat(alias.at("/Properties/FunctionName/Ref").asText()).isEqualTo(function);
                assertThat(alias.at("/Properties/FunctionVersion/Fn::GetAtt/0").asText()).isEqualTo(version);
            });
        }
    }

    @Test
    void everyTrigger_invokesTheAlias_neverTheBareFunction() {
        List<String> functions = javaFunctions();
        List<String> bare = new ArrayList<>();
        List<String> viaAlias = new ArrayList<>();
        resources.fields().forEachRemaining(e -> {
            String type = e.getValue().path("Type").asText();
            if (!TRIGGER_TYPES.contains(type)) {
                return;
            }
            String text = e.getValue().toString();
            if (type.equals("AWS::Lambda::EventInvokeConfig")) {
                // names the function and, as its qualifier, the alias (CDK takes the name out of the alias's ARN)
                JsonNode qualifier = e.getValue().at("/Properties/Qualifier");
                if (!qualifier.asText().equals("live") && !qualifier.toString().contains("Live")) {
                    bare.add(type + " " + e.getKey() + " qualifier " + e.getValue().at("/Properties/Qualifier"));
                }
                return;
            }
            for (String function : functions) {
                boolean invokes = !type.equals("AWS::IAM::Policy") || text.contains("lambda:InvokeFunction");
                if (invokes && (text.contains("{\"Fn::GetAtt\":[\"" + function + "\",\"Arn\"]}")
                        || text.contains("{\"Ref\":\"" + function + "\"}"))) {
                    bare.add(type + " " + e.getKey() + " -> " + function);
                }
            }
            if (text.contains("Live")) {
                viaAlias.add(e.getKey());
            }
        });
        assertThat(bare).as("triggers and grants naming a function instead of its live alias").isEmpty();
        assertThat(viaAlias).as("API integrations, both EventBridge rules, Jenkins' permission, async invoke config")
                .anyMatch(id -> id.contains("JenkinsInvoke"))
                .anyMatch(id -> id.contains("FailedExecutions"))
                .anyMatch(id -> id.contains("FlushAlertBursts"))
                .anyMatch(id -> id.startsWith("WebhookRestApi"))
                .anyMatch(id -> id.startsWith("MetadataRestApi"));
    }

    @Test
    void functionsThatInvokeOthers_areToldTheAlias() {
        Map<String, JsonNode> functions = ofType("AWS::Lambda::Function");
        List<String> targets = new ArrayList<>();
        functions.values().forEach(fn -> fn.at("/Properties/Environment/Variables").fields().forEachRemaining(v -> {
            if (v.getKey().equals("FLOWGATE_DEPLOYER_FUNCTION") || v.getKey().equals("FLOWGATE_ALERTER_FUNCTION")) {
                targets.add(v.getKey() + "=" + v.getValue());
            }
        }));
        assertThat(targets).isNotEmpty().allSatisfy(t -> assertThat(t).contains("Live"));
    }
}
