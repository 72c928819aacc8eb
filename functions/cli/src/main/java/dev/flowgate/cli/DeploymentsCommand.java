package dev.flowgate.cli;

import dev.flowgate.aws.Environment;
import dev.flowgate.deployer.domain.DeployError;
import dev.flowgate.deployer.domain.DeploymentHistory;
import dev.flowgate.deployer.domain.DeploymentRecord;
import dev.flowgate.model.naming.MetaflowNames;

import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code flowgate deployments FLOW}, {@code flowgate rollback FLOW [--branch B] [--to ID]} and
 * {@code flowgate undeploy FLOW [--branch B]}:
 * the deployment history the deployer records, read and acted on from a terminal. AWS settings come from the
 * environment as for any AWS tool (locally: the {@code export} lines {@code scripts/platform} prints).
 */
final class DeploymentsCommand {
    static final java.util.Map<String, String> USAGE = java.util.Map.of(
            "deployments", """
                    usage: flowgate deployments FLOW [--limit N]
                      The flow's deployments, newest first: id, kind, outcome, commit, branch ((exp): an experimental
                      one), state machine, run, message. AWS settings from the environment (locally:
                      eval "$(scripts/flowgate env)").
                    """,
            "rollback", """
                    usage: flowgate rollback FLOW [--branch BRANCH] [--to DEPLOYMENT_ID]
                      Re-publishes the previous different, successful deployment of the production state machine (or
                      BRANCH's), or the given one, with the schedule and triggers it was deployed with.
                    """,
            "undeploy", """
                    usage: flowgate undeploy FLOW [--branch BRANCH]
                      Deletes the production state machine (or BRANCH's), its schedule and triggers.
                    """);


    private final Function<Environment, DeploymentHistory> history;

    DeploymentsCommand(Function<Environment, DeploymentHistory> history) {
        this.history = history;
    }

    int run(String command, List<String> args, Environment env, PrintStream out, PrintStream err) {
        if (args.isEmpty() || args.contains("-h") || args.contains("--help")) {
            (args.isEmpty() ? err : out).print(USAGE.get(command));
            return args.isEmpty() ? 2 : 0;
        }
        String flow = args.get(0);
        if (!MetaflowNames.isFlowName(flow)) {
            err.println("error: '" + flow + "' is not a flow name (the FlowSpec class, e.g. TrainFlow)");
            return 2;
        }
        try {
            switch (command) {
                case "deployments" -> {
                    int limit = intOption(args, "--limit", 20);
                    List<DeploymentRecord> rows = history.apply(env).deployments(flow, limit);
                    if (rows.isEmpty()) {
                        out.println("no deployments of " + flow + " recorded");
                    }
                    String format = "%-32s %-9s %-16s %-12s %-20s %-40s %-28s %s%n";
                    out.printf(format, "DEPLOYMENT", "KIND", "OUTCOME", "COMMIT", "BRANCH", "STATE MACHINE", "RUN", "MESSAGE");
                    for (DeploymentRecord row : rows) {
                        out.printf(format, row.deploymentId(), row.kind(), row.outcome().name().toLowerCase(),
                                shortSha(row.commitSha()), row.branch() + (row.production() ? "" : " (exp)"),
                                row.stateMachine(), row.runPathspec(), row.message());
                    }
                }
                case "rollback" -> {
                    Optional<String> to = stringOption(args, "--to");
                    DeploymentRecord record = history.apply(env).rollback(flow, stringOption(args, "--branch"), to);
                    out.println("rolled back " + flow + ": " + record.message() + " (" + record.deploymentId() + ")");
                }
                case "undeploy" -> {
                    DeploymentRecord record = history.apply(env).undeploy(flow, stringOption(args, "--branch"));
                    out.println("undeployed " + flow + ": " + record.message() + " (" + record.deploymentId() + ")");
                }
                default -> throw new IllegalArgumentException("unknown command " + command);
            }
            return 0;
        } catch (DeploymentHistory.RollbackRefused | IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 2;
        } catch (DeployError.Busy e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }

    private static String shortSha(String sha) {
        return sha == null || sha.length() < 12 ? String.valueOf(sha) : sha.substring(0, 12);
    }

    private static Optional<String> stringOption(List<String> args, String name) {
        int i = args.indexOf(name);
        if (i < 0) {
            return Optional.empty();
        }
        if (i + 1 >= args.size()) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        return Optional.of(args.get(i + 1));
    }

    private static int intOption(List<String> args, String name, int fallback) {
        Optional<String> value = stringOption(args, name);
        try {
            int parsed = value.map(Integer::parseInt).orElse(fallback);
            if (parsed < 1 || parsed > 1000) {
                throw new IllegalArgumentException(name + " must be between 1 and 1000");
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, got '" + value.orElse("") + "'");
        }
    }
}
