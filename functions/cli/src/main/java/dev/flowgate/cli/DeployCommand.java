package dev.flowgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.aws.AwsSettings;
import dev.flowgate.aws.Environment;
import dev.flowgate.model.json.FlowgateJson;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

import java.io.PrintStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code flowgate deploy OWNER/REPO COMMIT_SHA [--ref refs/heads/B] [--flow F ...] [--dry-run]}: asks the
 * deployer (synchronous {@code lambda:Invoke} of {@code flowgate-deployer}, as Jenkins does) to deploy, or with
 * {@code --dry-run} to print the plan without changing anything. Locally ({@code FLOWGATE_LOCAL_URL} set) the
 * local runtime answers the Invoke API.
 */
final class DeployCommand {
    static final String USAGE = """
            usage: flowgate deploy OWNER/REPO COMMIT_SHA [--ref refs/heads/BRANCH] [--flow FLOW ...] [--dry-run]
                                  [--function NAME]
              Asks the deployer to deploy the commit (default ref refs/heads/main), or with --dry-run to print the
              plan (what would be created or changed) without side effects. Exit 0 when the outcome is ok.
              AWS settings come from the environment; FLOWGATE_LOCAL_URL=http://127.0.0.1:8080 targets the local platform.
            """;

    private DeployCommand() {
    }

    static int run(List<String> args, Environment env, PrintStream out, PrintStream err) {
        if (args.contains("-h") || args.contains("--help")) {
            out.print(USAGE);
            return 0;
        }
        List<String> positional = new ArrayList<>();
        List<String> flows = new ArrayList<>();
        String ref = "refs/heads/main";
        String function = "flowgate-deployer";
        boolean dryRun = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--dry-run" -> dryRun = true;
                case "--ref", "--flow", "--function" -> {
                    if (i + 1 >= args.size()) {
                        err.println("error: " + arg + " needs a value");
                        return 2;
                    }
                    String value = args.get(++i);
                    if (arg.equals("--ref")) {
                        ref = value.startsWith("refs/heads/") ? value : "refs/heads/" + value;
                    } else if (arg.equals("--flow")) {
                        flows.add(value);
                    } else {
                        function = value;
                    }
                }
                default -> {
                    if (arg.startsWith("--")) {
                        err.println("error: unknown option " + arg);
                        err.print(USAGE);
                        return 2;
                    }
                    positional.add(arg);
                }
            }
        }
        if (positional.size() != 2) {
            err.print(USAGE);
            return 2;
        }
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("repository", positional.get(0));
        request.put("commit_sha", positional.get(1));
        request.put("ref", ref);
        if (!flows.isEmpty()) {
            request.put("flows", flows);
        }
        request.put("dry_run", dryRun);
        request.put("source", "cli");
        AwsSettings aws = AwsSettings.from(env);
        Optional<String> local = env.get("FLOWGATE_LOCAL_URL");
        AwsSettings target = local.map(url -> new AwsSettings(Optional.of(URI.create(url)), aws.region(), aws.credentials())).orElse(aws);
        String fn = function;
        try (LambdaClient lambda = target.configure(LambdaClient.builder())) {
            InvokeResponse response = lambda.invoke(r -> r.functionName(fn).payload(SdkBytes.fromUtf8String(FlowgateJson.write(request))));
            String body = response.payload().asUtf8String();
            if (response.functionError() != null) {
                err.println("error: the deployer failed: " + body);
                return 1;
            }
            JsonNode result = FlowgateJson.parse(body);
            out.println(FlowgateJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(result));
            if (result.path("status").asInt(0) == 400) {
                return 2;
            }
            return result.path("ok").asBoolean(false) ? 0 : 1;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
