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
                                  [--function NAME] [--json] [--debug]
              Asks the deployer to deploy the commit (default ref refs/heads/main), or with --dry-run to print the
              plan (what would be created or changed) without side effects. Shows each flow's stages and ends with
              one line: what was deployed, or the refusal and its fix. --json prints the deployer's result instead.
              Exit 0 when the outcome is ok, 1 when refused, 2 for a bad request.
              AWS settings come from the environment; FLOWGATE_LOCAL_URL=http://127.0.0.1:8080 targets the local platform
              (eval "$(scripts/flowgate env)" sets it).
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
        boolean json = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--dry-run" -> dryRun = true;
                case "--json" -> json = true;
                case "--debug" -> { }
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
        if (!json) {
            out.println((dryRun ? "plan " : "deploy ") + positional.get(0) + " @ " + positional.get(1) + " (" + ref + ") with "
                    + fn + (local.map(u -> " at " + u).orElse(" in " + aws.region().id())));
        }
        InvokeResponse response;
        long started = System.nanoTime();
        try (LambdaClient lambda = target.configure(LambdaClient.builder()
                .overrideConfiguration(c -> c.apiCallTimeout(java.time.Duration.ofMinutes(16))
                        .apiCallAttemptTimeout(java.time.Duration.ofMinutes(16))
                        .retryPolicy(software.amazon.awssdk.core.retry.RetryPolicy.none())))) {
            // a deployment takes seconds to minutes: say it is still going, so the terminal is never silent for long
            java.util.concurrent.ScheduledExecutorService ticker = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "deploy-progress");
                t.setDaemon(true);
                return t;
            });
            if (!json) {
                ticker.scheduleAtFixedRate(() -> out.println("  ... still " + (request.get("dry_run").equals(true) ? "planning" : "deploying")
                        + " (" + (System.nanoTime() - started) / 1_000_000_000 + " s)"), 10, 10, java.util.concurrent.TimeUnit.SECONDS);
            }
            try {
                response = lambda.invoke(r -> r.functionName(fn).payload(SdkBytes.fromUtf8String(FlowgateJson.write(request))));
            } finally {
                ticker.shutdownNow();
            }
        }
        String body = response.payload().asUtf8String();
        if (response.functionError() != null) {
            JsonNode error = parseOrEmpty(body);
            throw new CliFailure("the deployer failed (" + error.path("errorType").asText("function error") + ": "
                    + PushCommand.firstLine(error.path("errorMessage").asText(body)) + "); see the deployer's log", 1, null);
        }
        JsonNode result = parseOrEmpty(body);
        if (json) {
            try {
                out.println(FlowgateJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(result));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        } else {
            report(result, out);
        }
        if (result.path("status").asInt(0) == 400) {
            return 2;
        }
        return result.path("ok").asBoolean(false) ? 0 : 1;
    }

    /** Each flow's outcome and stages, then one line: what was deployed, or the refusal with its fix. */
    static void report(JsonNode result, PrintStream out) {
        String outcome = result.path("outcome").asText("");
        if (outcome.equals("invalid_request")) {
            List<String> errors = new ArrayList<>();
            result.path("errors").forEach(e -> errors.add(e.path("field").asText() + ": " + e.path("message").asText()));
            out.println("not deployed: invalid request — " + (errors.isEmpty() ? result.path("field").asText() : String.join("; ", errors)));
            return;
        }
        String fix = RefusalFixes.forOutcome(outcome).orElse("");
        for (JsonNode flow : result.path("flows")) {
            out.println("  " + flow.path("flow").asText() + ": " + flow.path("outcome").asText() + " — " + flow.path("message").asText());
            if (flow.path("stage_ms").isObject() && flow.path("stage_ms").size() > 0) {
                List<String> stages = new ArrayList<>();
                flow.path("stage_ms").fields().forEachRemaining(e -> stages.add(e.getKey() + " " + e.getValue().asLong() + " ms"));
                out.println("    stages: " + String.join(", ", stages));
            }
            if (fix.isEmpty()) {
                fix = RefusalFixes.forOutcome(flow.path("outcome").asText()).orElse("");
            }
        }
        String id = result.path("deployment_id").asText("");
        String message = result.path("message").asText(outcome);
        if (result.path("ok").asBoolean(false)) {
            out.println(message + (id.isEmpty() ? "" : " (deployment " + id + ")"));
        } else {
            out.println("not deployed: " + message + (fix.isEmpty() ? "" : " — fix: " + fix));
        }
    }

    private static JsonNode parseOrEmpty(String body) {
        try {
            return FlowgateJson.parse(body == null || body.isBlank() ? "{}" : body);
        } catch (RuntimeException e) {
            return FlowgateJson.parse("{}");
        }
    }
}
