package dev.flowgate.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flowgate.alerter.handler.AlerterWiring;
import dev.flowgate.aws.FunctionContract;
import dev.flowgate.aws.FunctionContract.Permission;
import dev.flowgate.aws.FunctionContract.Resource;
import dev.flowgate.deployer.handler.DeployerWiring;
import dev.flowgate.metadata.handler.MetadataApiHandler;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awscdk.App;
import software.amazon.awscdk.assertions.Template;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract between the templates and the code: for every Lambda function of the synthesized control plane, its
 * environment and its role's IAM statements are read from the template and checked against the
 * {@link FunctionContract} its wiring builds it through (the wiring refuses to read an undeclared variable or make an
 * undeclared AWS call, so the contract is what the code needs):
 * every variable the code requires is set, nothing undeclared is set; every declared call is allowed on the resource
 * it touches, and the role allows nothing more (beyond what the platform itself needs, listed with reasons below).
 * Also: no {@code *} resource anywhere in the app unless allow-listed here with the reason AWS forces it.
 */
class FunctionContractTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static JsonNode control;
    static List<JsonNode> allTemplates = new ArrayList<>();
    static String prefix;

    /** Each function of the template, by handler, with the contract of the wiring that handler runs. */
    record Deployed(String handler, FunctionContract contract) {
        @Override
        public String toString() {
            return contract.function();
        }
    }

    static Stream<Deployed> functions() {
        return Stream.of(new Deployed(ControlPlaneStack.METADATA_HANDLER, MetadataApiHandler.CONTRACT),
                new Deployed(ControlPlaneStack.WEBHOOK_HANDLER, DeployerWiring.WEBHOOK),
                new Deployed(ControlPlaneStack.DEPLOYER_HANDLER, DeployerWiring.DEPLOYER),
                new Deployed(ControlPlaneStack.ALERTER_HANDLER, AlerterWiring.CONTRACT));
    }

    /** Variables read by the Lambda runtime or libraries themselves, not by a wiring. */
    private static final List<String> RUNTIME_VARIABLES = List.of("JAVA_TOOL_OPTIONS", "POWERTOOLS_", "AWS_LAMBDA_");

    /**
     * What the platform grants a function's role besides its code's calls: X-Ray's two actions for active tracing
     * (no resource-level permissions exist), and Lambda's async invoke configuration sending failed events to the
     * function's own dead-letter queue with the function's role.
     */
    private static final Map<String, Pattern> PLATFORM = Map.of(
            "xray:PutTraceSegments", Pattern.compile("\\*"), "xray:PutTelemetryRecords", Pattern.compile("\\*"),
            "sqs:SendMessage", Pattern.compile("\\$\\{GetAtt:\\w*Dlq\\w*\\.Arn}"),
            "sqs:GetQueueAttributes", Pattern.compile("\\$\\{GetAtt:\\w*Dlq\\w*\\.Arn}"),
            "sqs:GetQueueUrl", Pattern.compile("\\$\\{GetAtt:\\w*Dlq\\w*\\.Arn}"));

    /**
     * The only wildcard resources the app may hold (a resource that is {@code *}, or any name of a resource type,
     * e.g. {@code :job/*}), each with the reason AWS forces it. Per the AWS service authorization reference.
     */
    private static final Map<String, String> WILDCARDS_ALLOWED = Map.of(
            "xray:PutTraceSegments *", "X-Ray has no resource-level permissions",
            "xray:PutTelemetryRecords *", "X-Ray has no resource-level permissions",
            "batch:DescribeJobs *", "no resource-level permissions (the Step Functions .sync Batch integration polls it)",
            "batch:DescribeJobDefinitions *", "no resource-level permissions (the deployer checks a definition is ACTIVE)",
            "states:ListStateMachines *", "no resource-level permissions (the deployer finds existing machines)",
            "batch:TerminateJob job/*", "job ids exist only at run time; TerminateJob's only resource type is job");

    @BeforeAll
    static void synthesize() throws Exception {
        String json = Files.readString(Path.of("teams/example.json"))
                .replaceAll("functions/[a-z-]+/target/[a-z-]+-lambda\\.jar", "placeholder-asset");
        TeamSettings settings = TeamSettings.parse(json);
        prefix = settings.resourcePrefix();
        FlowgateApp.Stacks stacks = FlowgateApp.build(new App(), settings, Path.of("src/test/resources"));
        for (var stack : stacks.all()) {
            allTemplates.add(JSON.valueToTree(Template.fromStack(stack).toJSON()));
        }
        control = JSON.valueToTree(Template.fromStack(stacks.controlPlane()).toJSON());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("functions")
    void everyVariableTheCodeRequires_isSetInTheTemplate(Deployed fn) {
        Set<String> set = environment(fn);
        List<String> missing = new ArrayList<>();
        fn.contract().variables().stream().filter(v -> v.need() == FunctionContract.Need.REQUIRED && !set.contains(v.name()))
                .forEach(v -> missing.add(v.name() + " (" + v.meaning() + ")"));
        assertThat(missing).as("%s: variables its wiring requires (%s) that the template does not set",
                fn, fn.contract().function()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("functions")
    void everyVariableTheTemplateSets_isDeclaredByTheCode(Deployed fn) {
        Set<String> declared = new TreeSet<>();
        fn.contract().variables().stream().filter(v -> v.need() != FunctionContract.Need.LOCAL).forEach(v -> declared.add(v.name()));
        List<String> unknown = environment(fn).stream()
                .filter(name -> RUNTIME_VARIABLES.stream().noneMatch(name::startsWith))
                .filter(name -> !declared.contains(name)).toList();
        assertThat(unknown).as("%s: variables the template sets that no code reads (or only the local runtime should)", fn).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("functions")
    void everyCallTheCodeMakes_isAllowedOnTheResourceItTouches(Deployed fn) {
        List<Statement> statements = statements(fn);
        List<String> denied = new ArrayList<>();
        for (Permission p : fn.contract().permissions()) {
            Pattern resource = matcher(p.resource());
            for (String action : p.actions()) {
                boolean allowed = statements.stream().anyMatch(s -> s.actions().contains(action)
                        && s.resources().stream().anyMatch(r -> resource.matcher(r).matches()));
                if (!allowed) {
                    denied.add(action + " on " + p.resource().kind() + " " + p.resource().name() + " (" + resource + ")");
                }
            }
        }
        assertThat(denied).as("%s: calls its code makes that its role does not allow", fn).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("functions")
    void theRoleAllowsNothingMore(Deployed fn) {
        List<String> extra = new ArrayList<>();
        for (Statement s : statements(fn)) {
            for (String action : s.actions()) {
                for (String resource : s.resources()) {
                    boolean declared = fn.contract().permissions().stream().anyMatch(p -> p.actions().contains(action)
                            && matcher(p.resource()).matcher(resource).matches());
                    boolean platform = PLATFORM.containsKey(action) && PLATFORM.get(action).matcher(resource).matches();
                    if (!declared && !platform) {
                        extra.add(action + " on " + resource);
                    }
                }
            }
        }
        assertThat(extra).as("%s: its role allows what its code never calls", fn).isEmpty();
    }

    @Test
    void noWildcardResource_exceptTheAllowListed() {
        List<String> found = new ArrayList<>();
        Pattern wholeType = Pattern.compile(".*:[A-Za-z-]+[:/]\\*([:/].*)?");
        for (JsonNode template : allTemplates) {
            template.path("Resources").fields().forEachRemaining(r -> {
                for (Statement s : statementsOf(r.getValue())) {
                    for (String resource : s.resources()) {
                        if (!resource.equals("*") && !wholeType.matcher(resource).matches()) {
                            continue;
                        }
                        String type = resource.equals("*") ? "*" : resource.replaceAll(".*:([A-Za-z-]+[:/]\\*.*)$", "$1");
                        for (String action : s.actions()) {
                            if (!WILDCARDS_ALLOWED.containsKey(action + " " + type)) {
                                found.add(r.getKey() + ": " + action + " on " + resource);
                            }
                        }
                    }
                }
            });
        }
        assertThat(found).as("wildcard resources not on the allow-list (scope them, or allow-list them with the reason AWS forces it)")
                .isEmpty();
        assertThat(WILDCARDS_ALLOWED.values()).allSatisfy(reason -> assertThat(reason).hasSizeGreaterThan(20));
    }

    @Test
    void theDeployerReadsItsMetadataApiKeyFromExactlyItsSecret() {
        Deployed deployer = functions().filter(f -> f.handler().equals(ControlPlaneStack.DEPLOYER_HANDLER)).findFirst().orElseThrow();
        JsonNode env = function(deployer).path("Properties").path("Environment").path("Variables");
        String secret = secretLogicalId("deployer-api-key");
        assertThat(env.path(DeployerWiring.METADATA_API_KEY_SECRET).toString()).isEqualTo("{\"Ref\":\"" + secret + "\"}");
        assertThat(env.has("METAFLOW_SERVICE_AUTH_KEY")).as("no key in plain text").isFalse();
        // the deployer's API key takes its value from that secret, and is in the metadata API's usage plan
        String apiKey = control.path("Resources").properties().stream().filter(e -> e.getValue().path("Type").asText()
                .equals("AWS::ApiGateway::ApiKey") && e.getValue().path("Properties").path("Name").asText().equals(prefix + "-deployer"))
                .findFirst().orElseThrow().getValue().path("Properties").path("Value").toString();
        assertThat(apiKey).contains("{{resolve:secretsmanager:").contains(secret);
    }

    @Test
    void productionJobsKey_isReadByExactlyTheJobsExecutionRole_andTheDeployerNamesIt() {
        Deployed deployer = functions().filter(f -> f.handler().equals(ControlPlaneStack.DEPLOYER_HANDLER)).findFirst().orElseThrow();
        JsonNode env = function(deployer).path("Properties").path("Environment").path("Variables");
        String secret = secretLogicalId("production-jobs-api-key");
        assertThat(env.path(DeployerWiring.JOBS_KEY_SECRET).toString()).isEqualTo("{\"Ref\":\"" + secret + "\"}");
        JsonNode roleRef = env.path(DeployerWiring.JOBS_EXECUTION_ROLE).path("Fn::GetAtt");
        assertThat(roleRef.path(1).asText()).isEqualTo("Arn");
        String role = roleRef.path(0).asText();
        JsonNode roleProperties = control.path("Resources").path(role).path("Properties");
        // an ECS task execution role (what Batch's executionRoleArn must be), with nothing but the statement below
        assertThat(roleProperties.path("AssumeRolePolicyDocument").path("Statement").toString())
                .isEqualTo("[{\"Action\":\"sts:AssumeRole\",\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ecs-tasks.amazonaws.com\"}}]");
        assertThat(roleProperties.has("ManagedPolicyArns")).as("no managed policy on the execution role").isFalse();
        assertThat(roleProperties.has("Policies")).as("no inline policy on the role itself").isFalse();
        assertThat(roleStatements(role)).containsExactly(
                new Statement(List.of("secretsmanager:GetSecretValue"), List.of("${Ref:" + secret + "}")));
        // nobody else may read it: every statement on the secret, in every template, belongs to that role
        List<String> readers = new ArrayList<>();
        for (JsonNode template : allTemplates) {
            template.path("Resources").fields().forEachRemaining(r -> {
                boolean onSecret = statementsOf(r.getValue()).stream()
                        .anyMatch(st -> st.resources().stream().anyMatch(x -> x.contains("Ref:" + secret + "}")));
                if (onSecret) {
                    readers.add(r.getValue().path("Properties").path("Roles").toString());
                }
            });
        }
        assertThat(readers).containsExactly("[{\"Ref\":\"" + role + "\"}]");
        // the deployer passes the role to the job definitions it registers
        assertThat(statements(deployer)).anySatisfy(st -> {
            assertThat(st.actions()).contains("iam:PassRole");
            assertThat(st.resources()).contains("${GetAtt:" + role + ".Arn}");
        });
        // and the production jobs' API key (the one in metadataApi.productionCallers) takes its value from the secret
        String apiKey = control.path("Resources").properties().stream().filter(e -> e.getValue().path("Type").asText()
                        .equals("AWS::ApiGateway::ApiKey") && e.getValue().path("Properties").path("Name").asText().equals(prefix + "-production-jobs"))
                .findFirst().orElseThrow().getValue().path("Properties").path("Value").toString();
        assertThat(apiKey).contains("{{resolve:secretsmanager:").contains("\"Ref\":\"" + secret + "\"");
    }

    @Test
    void noApiKeyValueOrSecretValue_isInPlainTextInAnyTemplate() {
        List<String> plain = new ArrayList<>();
        for (JsonNode template : allTemplates) {
            template.path("Resources").fields().forEachRemaining(r -> {
                JsonNode properties = r.getValue().path("Properties");
                switch (r.getValue().path("Type").asText()) {
                    // an API key's value is a dynamic reference to a secret (or generated by API Gateway), never a literal
                    case "AWS::ApiGateway::ApiKey" -> {
                        JsonNode value = properties.path("Value");
                        if (!value.isMissingNode() && !(value.toString().contains("{{resolve:secretsmanager:")
                                && value.toString().matches(".*\\{\"Ref\":\"[A-Za-z0-9]+\"}.*"))) {
                            plain.add(r.getKey() + " Value " + value);
                        }
                    }
                    // secrets are generated or filled by operators, never given a value in the template
                    case "AWS::SecretsManager::Secret" -> {
                        if (properties.has("SecretString")) {
                            plain.add(r.getKey() + " SecretString");
                        }
                    }
                    case "AWS::Lambda::Function" -> properties.path("Environment").path("Variables").fields().forEachRemaining(v -> {
                        if (v.getKey().equals("METAFLOW_SERVICE_AUTH_KEY") || v.getValue().toString().toLowerCase().contains("x-api-key")) {
                            plain.add(r.getKey() + " " + v.getKey());
                        }
                    });
                    default -> {
                    }
                }
            });
        }
        assertThat(plain).as("keys in plain text in a template").isEmpty();
    }

    @Test
    void triggers_deliverWhatTheHandlersAccept() {
        String alerter = liveAlias(logicalId("AWS::Lambda::Function", "FunctionName", prefix + "-alerter"));
        List<JsonNode> rules = control.path("Resources").properties().stream().map(Map.Entry::getValue)
                .filter(r -> r.path("Type").asText().equals("AWS::Events::Rule")
                        && r.path("Properties").path("Targets").toString().contains("\"" + alerter + "\""))
                .toList();
        assertThat(rules).as("rules targeting the alerter").hasSize(2);
        String all = rules.toString();
        // the events the alerter's AlerterEvents parses: Step Functions status changes, and its own flush event
        assertThat(all).contains("\"source\":[\"" + dev.flowgate.alerter.domain.AlerterEvents.SFN_SOURCE + "\"]",
                "\"detail-type\":[\"" + dev.flowgate.alerter.domain.AlerterEvents.SFN_DETAIL_TYPE + "\"]",
                "FAILED", "TIMED_OUT", "ABORTED");
        assertThat(all).contains(dev.flowgate.alerter.domain.AlerterEvents.ALERTER_SOURCE,
                dev.flowgate.alerter.domain.AlerterEvents.FLUSH_BURSTS);
        // who may invoke what: API Gateway the metadata API's alias and the webhook, the Jenkins role the deployer
        Map<String, Set<String>> principals = new java.util.TreeMap<>();
        control.path("Resources").properties().stream().map(Map.Entry::getValue)
                .filter(r -> r.path("Type").asText().equals("AWS::Lambda::Permission"))
                .forEach(r -> principals.computeIfAbsent(render(r.path("Properties").path("FunctionName"))
                        .replaceAll("[0-9A-F]{8}(\\.Arn)?}$", "}"), k -> new TreeSet<>())
                        .add(render(r.path("Properties").path("Principal"))));
        assertThat(principals.toString()).contains("${Ref:MetadataApiLive}=[apigateway.amazonaws.com]")
                .contains("${Ref:GitHubWebhookLive}=[apigateway.amazonaws.com]")
                .contains(":role/" + "jenkins-deployer").contains("${Ref:AlerterLive}=[events.amazonaws.com]");
    }

    // --- reading the template

    private static JsonNode function(Deployed fn) {
        return control.path("Resources").properties().stream().map(Map.Entry::getValue)
                .filter(r -> r.path("Type").asText().equals("AWS::Lambda::Function")
                        && r.path("Properties").path("Handler").asText().equals(fn.handler()))
                .findFirst().orElseThrow(() -> new AssertionError("no function with handler " + fn.handler()));
    }

    private static Set<String> environment(Deployed fn) {
        Set<String> names = new TreeSet<>();
        function(fn).path("Properties").path("Environment").path("Variables").fieldNames().forEachRemaining(names::add);
        return names;
    }

    record Statement(List<String> actions, List<String> resources) {
    }

    /** The Allow statements of the inline policies attached to the function's role. */
    private static List<Statement> statements(Deployed fn) {
        String role = function(fn).path("Properties").path("Role").path("Fn::GetAtt").path(0).asText();
        List<Statement> all = roleStatements(role);
        assertThat(all).as("statements of %s's role", fn).isNotEmpty();
        return all;
    }

    /** The Allow statements of the policies attached to the control plane's role {@code role} (a logical id). */
    private static List<Statement> roleStatements(String role) {
        List<Statement> all = new ArrayList<>();
        control.path("Resources").properties().forEach(e -> {
            if (e.getValue().path("Type").asText().equals("AWS::IAM::Policy")
                    && e.getValue().path("Properties").path("Roles").toString().contains("{\"Ref\":\"" + role + "\"}")) {
                all.addAll(statementsOf(e.getValue()));
            }
        });
        return all;
    }

    private static List<Statement> statementsOf(JsonNode resource) {
        List<Statement> out = new ArrayList<>();
        JsonNode doc = switch (resource.path("Type").asText()) {
            case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy" -> resource.path("Properties").path("PolicyDocument");
            default -> null;
        };
        if (doc == null) {
            return out;
        }
        for (JsonNode st : doc.path("Statement")) {
            if (!st.path("Effect").asText().equals("Allow")) {
                continue;
            }
            out.add(new Statement(strings(st.path("Action")), strings(st.path("Resource")).stream().toList()));
        }
        return out;
    }

    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> out.add(render(n)));
        } else if (!node.isMissingNode()) {
            out.add(render(node));
        }
        return out;
    }

    /** An intrinsic as a readable string: Fn::Join flattened, Ref as ${Ref:id}, GetAtt as ${GetAtt:id.Attr}. */
    static String render(JsonNode node) {
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.has("Fn::Join")) {
            StringBuilder b = new StringBuilder();
            Iterator<JsonNode> parts = node.path("Fn::Join").path(1).elements();
            while (parts.hasNext()) {
                b.append(render(parts.next()));
            }
            return b.toString();
        }
        if (node.has("Ref")) {
            return "${Ref:" + node.path("Ref").asText() + "}";
        }
        if (node.has("Fn::GetAtt")) {
            return "${GetAtt:" + node.path("Fn::GetAtt").path(0).asText() + "." + node.path("Fn::GetAtt").path(1).asText() + "}";
        }
        if (node.has("Fn::ImportValue")) {
            return "${Import:" + node.path("Fn::ImportValue").asText() + "}";
        }
        return node.toString();
    }

    /** What a contract's resource means in this template. */
    static Pattern matcher(Resource resource) {
        String states = "arn:\\$\\{Ref:AWS::Partition}:states:[a-z0-9-]+:[0-9]+:";
        String machines = Pattern.quote(prefix + "_") + "\\*";
        String regex = switch (resource.kind()) {
            case TABLE -> "\\$\\{Import:[^}]*Table" + resource.name().replace("-", "") + "[0-9A-F]{8}Arn[^}]*}";
            case TABLE_INDEXES -> "\\$\\{Import:[^}]*Table" + resource.name().replace("-", "") + "[0-9A-F]{8}Arn[^}]*}/index/\\*";
            case SECRET -> Pattern.quote("${Ref:" + secretLogicalId(resource.name()) + "}");
            case DATASTORE_BUCKET -> "\\$\\{Import:[^}]*Datastore[0-9A-F]{8}Arn[^}]*}";
            case DATASTORE_OBJECTS -> "\\$\\{Import:[^}]*Datastore[0-9A-F]{8}Arn[^}]*}/\\*";
            case FLOW_STATE_MACHINES -> states + "stateMachine:" + machines;
            case FLOW_STATE_MACHINE_VERSIONS -> states + "stateMachine:" + machines + ":\\*";
            case FLOW_EXECUTIONS -> states + "execution:" + machines + ":\\*";
            case SCHEDULE_GROUP -> Pattern.quote("${GetAtt:" + logicalId("AWS::Scheduler::ScheduleGroup", "Name",
                    prefix + "-flow-schedules") + ".Arn}");
            case SCHEDULES -> ".*:scheduler:.*:schedule/" + Pattern.quote(prefix + "-flow-schedules/") + "\\*";
            case FINISH_RULES -> ".*:events:.*:rule/" + Pattern.quote(prefix + "-finish-") + "\\*";
            case FLOW_SCHEDULE_RULES -> ".*:events:.*:rule/" + machines;
            // functions are invoked through their live alias (SnapStart restores published versions only)
            case FUNCTION -> Pattern.quote("${Ref:" + liveAlias(logicalId("AWS::Lambda::Function", "FunctionName",
                    prefix + "-" + resource.name())) + "}");
            case PASSED_ROLE -> "\\$\\{(GetAtt:(StepFunctionsRole|EventBridgeRole|JobsExecutionRole)\\w+\\.Arn|Import:[^}]*JobRole\\w+Arn\\w*)}";
            case JOB_DEFINITIONS -> ".*:batch:.*:job-definition/" + Pattern.quote(ControlPlaneStack.JOB_DEFINITION_PREFIX) + "\\*";
            case NO_RESOURCE_LEVEL_PERMISSIONS -> "\\*";
        };
        return Pattern.compile(regex);
    }

    private static String secretLogicalId(String name) {
        return logicalId("AWS::SecretsManager::Secret", "Name", prefix + "/" + name);
    }

    /** The logical id of the {@code live} alias of the function {@code functionId}. */
    private static String liveAlias(String functionId) {
        return control.path("Resources").properties().stream()
                .filter(e -> e.getValue().path("Type").asText().equals("AWS::Lambda::Alias")
                        && e.getValue().path("Properties").path("FunctionName").path("Ref").asText().equals(functionId))
                .map(Map.Entry::getKey).findFirst()
                .orElseThrow(() -> new AssertionError("the function " + functionId + " has no alias"));
    }

    private static String logicalId(String type, String property, String value) {
        return control.path("Resources").properties().stream()
                .filter(e -> e.getValue().path("Type").asText().equals(type)
                        && e.getValue().path("Properties").path(property).asText().equals(value))
                .map(Map.Entry::getKey).findFirst()
                .orElseThrow(() -> new AssertionError("the template has no " + type + " with " + property + " " + value));
    }
}
