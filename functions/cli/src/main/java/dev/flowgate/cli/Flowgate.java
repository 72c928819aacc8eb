package dev.flowgate.cli;

import dev.flowgate.aws.Environment;
import dev.flowgate.deployer.handler.DeployerWiring;

import java.io.PrintStream;
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
        return run(args, Environment.system(), System.out, System.err);
    }

    /**
     * Runs one command. Whatever fails outside the command's own answers (the SDK, HTTP, git, a missing setting) ends
     * as one line saying what to do, never a stack trace; {@code --debug} adds the trace.
     */
    static int run(String[] args, Environment env, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            out.println("usage: flowgate new-project|deploy|push|deployments|rollback|undeploy ...   (scripts/flowgate help lists every command)");
            return args.length == 0 ? 2 : 0;
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        boolean debug = rest.contains("--debug");
        List<String> options = rest.stream().filter(a -> !a.equals("--debug")).toList();
        try {
            switch (args[0]) {
                case "new-project":
                    return NewProjectCommand.run(options, home().resolve("templates/flow-project"), out, err);
                case "deploy":
                    return DeployCommand.run(options, env, out, err);
                case "push":
                    return PushCommand.run(options, env, Path.of("").toAbsolutePath(), out, err);
                case "deployments", "rollback", "undeploy":
                    return new DeploymentsCommand(DeployerWiring::history).run(args[0], options, env, out, err);
                default:
                    break;
            }
        } catch (CliFailure e) {
            err.println("error: " + e.getMessage());
            trace(debug, e, err);
            return e.exitCode();
        } catch (RuntimeException e) {
            err.println("error: " + CliErrors.explain(e, env));
            trace(debug, e, err);
            return 1;
        }
        err.println("error: unknown command '" + args[0] + "' (scripts/flowgate help lists the commands)");
        return 2;
    }

    private static void trace(boolean debug, Throwable e, PrintStream err) {
        if (debug) {
            e.printStackTrace(err);
        } else {
            err.println("       (--debug shows the stack trace)");
        }
    }

    /** The Flowgate checkout: FLOWGATE_HOME (set by scripts/flowgate), else the working directory. */
    private static Path home() {
        return Optional.ofNullable(System.getenv("FLOWGATE_HOME")).map(Path::of).orElse(Path.of("."));
    }
}
