package dev.flowgate.cli;

import dev.flowgate.aws.Environment;
import dev.flowgate.deployer.handler.DeployerWiring;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Entry point of the Java commands behind {@code scripts/flowgate}. */
public final class Flowgate {
    private Flowgate() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            System.out.println("usage: flowgate new-project|deployments|rollback|undeploy ...   (scripts/flowgate help lists every command)");
            return args.length == 0 ? 2 : 0;
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        switch (args[0]) {
            case "new-project":
                return NewProjectCommand.run(rest, home().resolve("templates/flow-project"), System.out, System.err);
            case "deploy":
                return DeployCommand.run(rest, Environment.system(), System.out, System.err);
            case "deployments", "rollback", "undeploy":
                return new DeploymentsCommand(DeployerWiring::history).run(args[0], rest, Environment.system(), System.out, System.err);
            default:
                break;
        }
        System.err.println("error: unknown command '" + args[0] + "'");
        return 2;
    }

    /** The Flowgate checkout: FLOWGATE_HOME (set by scripts/flowgate), else the working directory. */
    private static Path home() {
        return Optional.ofNullable(System.getenv("FLOWGATE_HOME")).map(Path::of).orElse(Path.of("."));
    }
}
