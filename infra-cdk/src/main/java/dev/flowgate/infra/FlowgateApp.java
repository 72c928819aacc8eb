package dev.flowgate.infra;

import dev.flowgate.model.resources.FlowgateResources;
import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.Tags;
import software.amazon.awscdk.cxapi.CloudAssembly;
import software.amazon.awscdk.cxapi.SynthesisMessageLevel;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The CDK app: one Flowgate for one team account. {@code FlowgateApp TEAMS_FILE [--out DIR] [--summary]}
 * synthesizes offline (no AWS account needed) into DIR (default cdk.out); {@code --summary} prints the
 * resource count of each template. {@code cdk deploy} runs it through {@code cdk.json}.
 */
public final class FlowgateApp {
    private FlowgateApp() {
    }

    /** The four stacks of one team account, in dependency order. */
    public record Stacks(NetworkStack network, DataStack data, ComputeStack compute, ControlPlaneStack controlPlane) {
        public List<software.amazon.awscdk.Stack> all() {
            return List.of(network, data, compute, controlPlane);
        }
    }

    public static Stacks build(App app, TeamSettings settings, Path repositoryRoot) {
        StackProps props = StackProps.builder().env(Environment.builder().account(settings.account()).region(settings.region()).build())
                .description("Flowgate for team " + settings.team()).build();
        String prefix = "Flowgate-" + settings.team() + "-";
        NetworkStack network = new NetworkStack(app, prefix + "Network", props, settings);
        DataStack data = new DataStack(app, prefix + "Data", props, settings, network.vpc(), network.trainingSubnet());
        ComputeStack compute = new ComputeStack(app, prefix + "Compute", props, settings, network.vpc(), data.datastore(),
                data.table(FlowgateResources.SFN_FOREACH), data.lustre(), data.lustreClients(), network.trainingSubnet());
        ControlPlaneStack control = new ControlPlaneStack(app, prefix + "ControlPlane", props, settings, repositoryRoot,
                data.datastore(), data.table(FlowgateResources.METADATA), data.table(FlowgateResources.CONTROL),
                data.table(FlowgateResources.SFN_FOREACH), compute.jobRole(), compute.onDemandQueue().getJobQueueArn());
        Tags.of(app).add("flowgate:team", settings.team());
        Stacks stacks = new Stacks(network, data, compute, control);
        NagRules.apply(stacks);
        return stacks;
    }

    public static void main(String[] args) {
        String teams = System.getenv().getOrDefault("FLOWGATE_TEAM_SETTINGS", args.length > 0 ? args[0] : "infra-cdk/teams/example.json");
        String out = System.getenv().getOrDefault("CDK_OUTDIR", "cdk.out");
        boolean summary = false;
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--out") && i + 1 < args.length) {
                out = args[++i];
            } else if (args[i].equals("--summary")) {
                summary = true;
            }
        }
        TeamSettings settings;
        try {
            settings = TeamSettings.load(Path.of(teams));
        } catch (TeamSettings.InvalidSettings e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
            return;
        }
        App app = new App(AppProps.builder().outdir(out).build());
        Path root = Path.of(System.getenv().getOrDefault("FLOWGATE_HOME", ".")).toAbsolutePath();
        try {
            build(app, settings, root);
        } catch (TeamSettings.InvalidSettings e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
            return;
        }
        Aspects.of(app).add(AwsSolutionsChecks.Builder.create().build());
        CloudAssembly assembly = app.synth();
        if (summary) {
            for (var stack : assembly.getStacks()) {
                Object resources = ((Map<?, ?>) stack.getTemplate()).get("Resources");
                int count = resources instanceof Map<?, ?> m ? m.size() : 0;
                System.out.printf("%-40s %4d resources%n", stack.getStackName(), count);
            }
            System.out.println("templates in " + assembly.getDirectory());
        }
        List<String> nag = nagFindings(assembly);
        nag.forEach(f -> System.err.println("cdk-nag: " + f));
        if (!nag.isEmpty()) {
            System.err.println("error: " + nag.size() + " unsuppressed cdk-nag AwsSolutions finding(s)");
            System.exit(1);
        }
        if (summary) {
            System.out.println("cdk-nag AwsSolutions: 0 unsuppressed findings");
        }
    }

    /** Unsuppressed cdk-nag errors and warnings recorded in the synthesized assembly. */
    static List<String> nagFindings(CloudAssembly assembly) {
        return assembly.getStacks().stream().flatMap(stack -> stack.getMessages().stream()
                .filter(m -> m.getLevel() != SynthesisMessageLevel.INFO)
                .map(m -> stack.getStackName() + " " + m.getId() + ": " + String.valueOf(m.getEntry().getData()).split(": ")[0])
                .filter(f -> f.contains("AwsSolutions") || f.contains("CdkNag"))).toList();
    }
}
