package dev.flowgate.compiler;

import dev.flowgate.compiler.asl.CompileOptions;
import dev.flowgate.compiler.asl.DeploymentSettings;
import dev.flowgate.compiler.graph.FlowGraph;
import dev.flowgate.compiler.graph.FlowLintException;
import dev.flowgate.model.naming.MetaflowNames;
import dev.flowgate.model.naming.StateMachineNames;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * State machine names come from one place ({@link StateMachineNames}, used by the compiler): over random project,
 * git branch, flow names and state machine prefixes, an experimental deployment never gets a production name, nor
 * the name of another branch's deployment, and a flow without {@code @project} has no experimental deployment.
 */
class StateMachineNamingPropertiesTest {

    @Property(tries = 400)
    void experimentalName_isNeverAProductionName(@ForAll("projects") String project, @ForAll("projects") String otherProject,
                                                 @ForAll("gitBranches") String branch, @ForAll("flows") String flow,
                                                 @ForAll("flows") String otherFlow, @ForAll("prefixes") Optional<String> prefix) {
        String experimental = name(project, flow, experimental(branch), prefix);
        assertThat(experimental).isNotEqualTo(name(project, flow, production(), prefix));
        assertThat(experimental).isNotEqualTo(name(otherProject, otherFlow, production(), prefix));
        assertThat(experimental).isNotEqualTo(StateMachineNames.plainFlow(prefix, flow));
        assertThat(experimental.length()).isLessThanOrEqualTo(StateMachineNames.MAX_NAME);
    }

    @Property(tries = 400)
    void differentBranches_neverShareAStateMachine(@ForAll("projects") String project, @ForAll("gitBranches") String one,
                                                   @ForAll("gitBranches") String two, @ForAll("flows") String flow,
                                                   @ForAll("prefixes") Optional<String> prefix) {
        Assume.that(!one.equals(two));
        assertThat(name(project, flow, experimental(one), prefix)).isNotEqualTo(name(project, flow, experimental(two), prefix));
    }

    /** Look-alike branches, which a lossy cleaning would merge, are the likely collisions: try them on purpose. */
    @Property(tries = 300)
    void lookAlikeBranches_stayApart(@ForAll("cleanBranches") String clean, @ForAll("flows") String flow) {
        String slashed = clean.replace('_', '/');
        String dashed = clean.replace('_', '-');
        String upper = clean.toUpperCase(java.util.Locale.ROOT);
        String hashedForm = StateMachineNames.branchName(slashed + "/");
        for (String other : new String[] {slashed, dashed, upper, clean + "_", hashedForm}) {
            if (!other.equals(clean)) {
                assertThat(name("proj", flow, experimental(other), Optional.empty()))
                        .as(clean + " vs " + other).isNotEqualTo(name("proj", flow, experimental(clean), Optional.empty()));
            }
        }
    }

    @Property(tries = 200)
    void branchName_isAValidProjectBranch(@ForAll("gitBranches") String branch) {
        assertThat(MetaflowNames.isProjectName(StateMachineNames.branchName(branch))).isTrue();
    }

    @Property(tries = 100)
    void flowWithoutProject_refusesAnExperimentalDeployment(@ForAll("gitBranches") String branch, @ForAll("flows") String flow) {
        FlowGraph graph = FlowCompiler.parse("f.py", source(Optional.empty(), flow));
        assertThatThrownBy(() -> FlowCompiler.stateMachineName(graph, experimental(branch)))
                .isInstanceOf(FlowLintException.class).hasMessageContaining("add @project");
        assertThat(FlowCompiler.stateMachineName(graph, production())).isEqualTo(flow);
    }

    @Example
    void projectAttributesThatWouldOverrideTheDeploymentsBranch_areRefused() {
        for (String attributes : List.of("branch=\"x\"", "production=True")) {
            FlowGraph graph = FlowCompiler.parse("f.py", source(Optional.of("p"), "FlowX")
                    .replace("@project(name=\"p\")", "@project(name=\"p\", " + attributes + ")"));
            assertThatThrownBy(() -> FlowCompiler.stateMachineName(graph, experimental("feature/x")))
                    .isInstanceOf(FlowLintException.class).hasMessageContaining("the deployment sets the branch from git");
            assertThatThrownBy(() -> FlowCompiler.projectName(graph)).isInstanceOf(FlowLintException.class);
        }
    }

    @Example
    void cleanBranchesKeepTheirName_othersAreMarkedWithAHash() {
        assertThat(StateMachineNames.branchName("feature_x")).isEqualTo("feature_x");
        assertThat(StateMachineNames.branchName("feature/x")).startsWith("feature_x__").hasSize("feature_x__".length() + 16);
        assertThat(name("churn", "TrainFlow", experimental("exp-1"), Optional.empty()))
                .startsWith("churn.test.exp_1__").endsWith(".TrainFlow");
        assertThat(name("churn", "TrainFlow", production(), Optional.empty())).isEqualTo("churn.prod.TrainFlow");
    }

    private static String name(String project, String flow, CompileOptions options, Optional<String> prefix) {
        FlowGraph graph = FlowCompiler.parse("f.py", source(Optional.of(project), flow));
        return FlowCompiler.stateMachineName(graph, withPrefix(options, prefix));
    }

    private static String source(Optional<String> project, String flow) {
        return "from metaflow import FlowSpec, step, project\n"
                + project.map(p -> "@project(name=\"" + p + "\")\n").orElse("")
                + "class " + flow + "(FlowSpec):\n    @step\n    def start(self):\n        self.next(self.end)\n\n"
                + "    @step\n    def end(self):\n        pass\n";
    }

    private static CompileOptions production() {
        return CompileOptions.builder().settings(settings(Optional.empty())).production(true).owner("flowgate").build();
    }

    private static CompileOptions experimental(String gitBranch) {
        return CompileOptions.builder().settings(settings(Optional.empty()))
                .branch(StateMachineNames.branchName(gitBranch)).owner("flowgate").build();
    }

    private static CompileOptions withPrefix(CompileOptions options, Optional<String> prefix) {
        return CompileOptions.builder().settings(settings(prefix))
                .branch(options.branch()).production(options.production()).owner(options.owner()).build();
    }

    private static DeploymentSettings settings(Optional<String> prefix) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("METAFLOW_DATASTORE_SYSROOT_S3", "s3://b/metaflow");
        config.put("METAFLOW_BATCH_JOB_QUEUE", "q");
        config.put("METAFLOW_ECS_S3_ACCESS_IAM_ROLE", "arn:aws:iam::1:role/r");
        config.put("METAFLOW_SERVICE_URL", "https://md");
        prefix.ifPresent(p -> config.put("METAFLOW_SFN_STATE_MACHINE_PREFIX", p));
        return DeploymentSettings.fromConfig(config);
    }

    @Provide
    Arbitrary<String> projects() {
        return Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789_").ofMinLength(1).ofMaxLength(70);
    }

    @Provide
    Arbitrary<String> flows() {
        return Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z').withChars('_', '0', '1', '9')
                .ofMinLength(1).ofMaxLength(50).map(s -> "F" + s).filter(MetaflowNames::isFlowName);
    }

    /** Git branch names: slashes, dashes, dots, upper case, non-ASCII, long ones. */
    @Provide
    Arbitrary<String> gitBranches() {
        Arbitrary<String> anything = Arbitraries.strings().withChars("abcXYZ019_/-.@+é").ofMinLength(1).ofMaxLength(90);
        return Arbitraries.oneOf(anything, cleanBranches(), Arbitraries.of("main", "prod", "feature/x", "feature_x",
                "feature-x", "Feature/X", "exp-1", "exp_1", "_", "-", "a__b"));
    }

    @Provide
    Arbitrary<String> cleanBranches() {
        return Arbitraries.strings().withChars("abc019").ofMinLength(1).ofMaxLength(8).list().ofMinSize(1).ofMaxSize(5)
                .map(words -> String.join("_", words));
    }

    @Provide
    Arbitrary<Optional<String>> prefixes() {
        return Arbitraries.strings().withChars("abc-_1").ofMinLength(1).ofMaxLength(70).optional(0.3);
    }
}
