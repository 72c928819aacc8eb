package dev.flowgate.compiler;

import dev.flowgate.compiler.graph.FlowGraph;
import dev.flowgate.compiler.graph.FlowLintException;
import dev.flowgate.compiler.graph.LintProblem;
import dev.flowgate.compiler.parse.ConfigInputs;
import dev.flowgate.compiler.parse.PyExpr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Config values in decorator arguments: each expression form, each source of the value, each refusal. */
class ConfigEvaluationTest {
    private static final String HEADER = """
            from metaflow import FlowSpec, Config, config_expr, project, resources, timeout, batch, environment, step
            import metaflow

            """;

    private static final String FILE = "{\"project\": \"ranking\", \"train\": {\"cpu\": 8, \"memory\": 32000},"
            + " \"image\": \"repo/img:2\", \"gpus\": [1, 4], \"tags\": [\"a\", \"b\"]}";

    private static final ConfigInputs FILES = ConfigInputs.of(path -> path.equals("conf/train.json") ? Optional.of(FILE) : Optional.empty());

    /** A flow with Config {@code cfg} (default= conf/train.json) and {@code lim} (a default_value dict). */
    private static String flow(String startDecorator) {
        return HEADER + """
                class F(FlowSpec):
                    cfg = Config("train_cfg", default="conf/train.json")
                    lim = Config("limits", default_value={"seconds": 120, "queue": "gpu-q", "nested": {"deep": 3}})

                    %s
                    @step
                    def start(self):
                        self.next(self.end)

                    @step
                    def end(self):
                        pass
                """.formatted(startDecorator);
    }

    private static PyExpr startArg(String decorator, String key) {
        FlowGraph graph = FlowCompiler.parse("f.py", flow(decorator), FILES);
        String name = decorator.substring(1, decorator.indexOf('('));
        return graph.start().decorator(name).orElseThrow().kwarg(key).orElseThrow();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "@resources(cpu=cfg.train.cpu)|cpu|8",
            "@resources(cpu=cfg[\"train\"][\"cpu\"])|cpu|8",
            "@resources(cpu=cfg.train[\"cpu\"])|cpu|8",
            "@resources(cpu=cfg['train'].cpu)|cpu|8",
            "@resources(cpu=config_expr(\"train_cfg.train.cpu\"))|cpu|8",
            "@resources(cpu=config_expr('train_cfg[\"train\"][\"cpu\"]'))|cpu|8",
            "@resources(cpu=config_expr(\"train_cfg\").train.cpu)|cpu|8",
            "@resources(cpu=metaflow.config_expr(\"train_cfg.train.cpu\"))|cpu|8",
            "@resources(gpu=config_expr(\"train_cfg.gpus[1]\"))|gpu|4",
            "@timeout(seconds=lim.seconds)|seconds|120",
            "@timeout(seconds=lim.nested.deep)|seconds|3",
    })
    void eachExpressionForm_becomesTheLiteralFromTheConfig(String decorator, String key, String expected) {
        PyExpr value = startArg(decorator, key);
        assertThat(value).isInstanceOf(PyExpr.Num.class);
        assertThat(value.source()).isEqualTo(expected);
    }

    @Test
    void strings_lists_andValuesInsideDictsAndLists_areSubstituted() {
        assertThat(startArg("@batch(image=cfg.image, queue=lim[\"queue\"])", "image")).isEqualTo(new PyExpr.Str("repo/img:2", "\"repo/img:2\""));
        assertThat(PyExpr.literal(startArg("@batch(image=cfg.image, queue=lim[\"queue\"])", "queue"))).isEqualTo("gpu-q");
        assertThat(PyExpr.literal(startArg("@environment(vars={\"IMG\": cfg.image, \"Q\": config_expr(\"limits.queue\")})", "vars")))
                .isEqualTo(Map.of("IMG", "repo/img:2", "Q", "gpu-q"));
        assertThat(PyExpr.literal(startArg("@batch(host_volumes=cfg.tags)", "host_volumes"))).isEqualTo(java.util.List.of("a", "b"));
    }

    @Test
    void flowDecorators_readConfigsDefinedInTheClassBelow() {
        FlowGraph graph = FlowCompiler.parse("f.py", flow("").replace("class F(", "@project(name=config_expr(\"train_cfg.project\"))\nclass F("), FILES);
        assertThat(PyExpr.literal(graph.flowDecorator("project").orElseThrow().kwarg("name").orElseThrow())).isEqualTo("ranking");
    }

    @Test
    void aboveTheClass_aConfigAttributeIsNotInScope_asInPython() {
        // Metaflow fails with NameError: name 'cfg' is not defined; Flowgate leaves it, and @project refuses a non-literal
        String source = flow("").replace("class F(", "@project(name=cfg.project)\nclass F(");
        assertThatThrownBy(() -> FlowCompiler.compile(FlowCompiler.parse("f.py", source, FILES), optionsUnchecked()))
                .isInstanceOf(FlowLintException.class).hasMessageContaining("f.py:4");
    }

    @Test
    void theValueComesFromAnOverrideFirst_thenDefaultValue_thenTheDefaultFile() {
        ConfigInputs overridden = FILES.withOverrides(Map.of("train_cfg", "{\"train\": {\"cpu\": 16}}", "limits", "{\"seconds\": 600}"));
        FlowGraph graph = FlowCompiler.parse("f.py", flow("@resources(cpu=cfg.train.cpu)\n    @timeout(seconds=lim.seconds)"), overridden);
        assertThat(graph.start().decorator("resources").orElseThrow().kwarg("cpu").orElseThrow().source()).isEqualTo("16");
        assertThat(graph.start().decorator("timeout").orElseThrow().kwarg("seconds").orElseThrow().source()).isEqualTo("600");
    }

    @Test
    void aDefaultValueString_isReadAsJson() {
        String source = flow("@timeout(seconds=s.t)").replace("lim = Config(", "s = Config(\"s\", default_value='{\"t\": 90}')\n    lim = Config(");
        assertThat(FlowCompiler.parse("f.py", source, FILES).start().decorator("timeout").orElseThrow().kwarg("seconds")
                .orElseThrow().source()).isEqualTo("90");
    }

    @Test
    void theResolvedValues_compileIntoTheStateMachine() {
        String source = flow("@resources(cpu=cfg.train.cpu, memory=cfg[\"train\"][\"memory\"])\n    @timeout(seconds=lim.seconds)")
                .replace("class F(", "@project(name=config_expr(\"train_cfg.project\"))\nclass F(");
        CompiledFlow compiled = FlowCompiler.compile(FlowCompiler.parse("f.py", source, FILES), optionsUnchecked());
        assertThat(compiled.stateMachineName()).isEqualTo("ranking.prod.F");
        assertThat(compiled.definitionJson()).contains("\"AttemptDurationSeconds\":120")
                .contains("{\"Value\":\"8\",\"Type\":\"VCPU\"}").contains("{\"Value\":\"32000\",\"Type\":\"MEMORY\"}")
                .contains("batch:cpu=8,gpu=0,memory=32000");
    }

    @Test
    void aDecoratorTheCompilerDoesNotRead_keepsAnArgumentThatCannotBeEvaluated() {
        String source = flow("@card(id=make(cfg))\n    @resources(cpu=lim.seconds)").replace("project, ", "project, card, ");
        FlowGraph graph = FlowCompiler.parse("f.py", source, FILES);
        assertThat(graph.start().decorator("card").orElseThrow().kwarg("id").orElseThrow().source()).isEqualTo("make(cfg)");
        assertThat(graph.start().decorator("resources").orElseThrow().kwarg("cpu").orElseThrow().source()).isEqualTo("120");
    }

    @Test
    void configsNoDecoratorReads_needNoValue() {
        String source = flow("@resources(cpu=2)").replace("default=\"conf/train.json\"", "default=\"missing.json\"");
        assertThat(FlowCompiler.parse("f.py", source, FILES).start().decorator("resources")).isPresent();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // the file is not there
            "@resources(cpu=cfg.train.cpu)|default=\"conf/train.json\"|default=\"conf/other.json\"|default configuration file 'conf/other.json' was not found|commit conf/other.json",
            // not JSON
            "@resources(cpu=cfg.train.cpu)|default=\"conf/train.json\"|default_value='{not json'|is not valid JSON|fix the JSON",
            // a parser Flowgate would have to run
            "@resources(cpu=cfg.train.cpu)|default=\"conf/train.json\"|default=\"conf/train.json\", parser=\"yaml.safe_load\"|parser=\"yaml.safe_load\"|drop parser=",
            "@resources(cpu=cfg.train.cpu)|default=\"conf/train.json\"|default=\"conf/train.json\", plain=True|plain=True|drop plain=True",
            // a computed default
            "@resources(cpu=cfg.train.cpu)|default=\"conf/train.json\"|default=os.environ[\"CFG\"]|is not a file name written literally|in quotes",
            "@resources(cpu=cfg.train.cpu)|default=\"conf/train.json\"|default_value=make()|is not a literal dict|dict literal",
            // a missing key, lists and None
            "@resources(cpu=cfg.train.cores)|x|x|has no key 'cores' (it has: cpu, memory)|add \"cores\"",
            "@resources(cpu=cfg.gpus.first)|x|x|which has no keys|JSON object",
            "@resources(cpu=config_expr(\"train_cfg.gpus[5]\"))|x|x|item 5 is read from a list of 2 items|an item the list has",
            "@resources(cpu=cfg.gpus[0])|x|x|not the list index [0]|config_expr(\"cfg.gpus[0]\")",
            "@resources(cpu=cfg.train.cpu)|default=\"conf/train.json\"|required=False|a config without a value (None)|read a key",
            // expressions Flowgate does not evaluate
            "@resources(cpu=cfg.train.cpu * 2)|x|x|cannot evaluate without running the flow|read the value directly",
            "@resources(cpu=config_expr(\"train_cfg.train.cpu * 2\"))|x|x|cannot evaluate without running the flow|read the value directly",
            "@resources(cpu=config_expr(name))|x|x|cannot evaluate without running the flow|read the value directly",
            "@resources(cpu=config_expr(\"int(train_cfg.train.cpu)\"))|x|x|cannot evaluate without running the flow|read the value directly",
            "@resources(cpu=int(cfg.train.cpu))|x|x|cannot evaluate without running the flow|read the value directly",
            "@resources(cpu=config_expr(\"cfg.train.cpu\"))|x|x|names 'cfg', which is not the name of a Config of this flow (Configs: train_cfg, limits)|config_expr(\"train_cfg.key\")",
    })
    void whatCannotBeDetermined_isRefusedWithTheLineTheStepAndAFix(String decorator, String from, String to, String message, String fix) {
        String source = flow(decorator).replace(from, to);
        assertThatThrownBy(() -> FlowCompiler.parse("f.py", source, FILES))
                .isInstanceOfSatisfying(FlowLintException.class, e -> {
                    LintProblem problem = e.problems().get(0);
                    assertThat(problem.file()).isEqualTo("f.py");
                    assertThat(problem.line()).isEqualTo(8);
                    assertThat(problem.step()).isEqualTo("start");
                    assertThat(problem.message()).contains(message);
                    assertThat(problem.fix()).contains(fix);
                });
    }

    @Test
    void withoutAFileReader_aDefaultFileConfigIsRefused_butDefaultValueStillResolves() {
        assertThatThrownBy(() -> FlowCompiler.parse("f.py", flow("@resources(cpu=cfg.train.cpu)")))
                .hasMessageContaining("f.py:8: step 'start': Config 'train_cfg' (line 5): the default configuration file 'conf/train.json' was not found");
        assertThat(FlowCompiler.parse("f.py", flow("@timeout(seconds=lim.seconds)")).start().decorator("timeout")).isPresent();
    }

    @Test
    void configValues_giveEveryConfigForTheCodePackage() {
        String source = flow("").replace("lim = Config(", "unset = Config(\"unset\")\n    lim = Config(");
        var values = FlowCompiler.configValues("f.py", source, FILES);
        assertThat(values.keySet()).containsExactly("train_cfg", "unset", "limits");
        assertThat(values.get("train_cfg").at("/train/cpu").asInt()).isEqualTo(8);
        assertThat(values.get("unset").isNull()).isTrue();
        assertThat(values.get("limits").at("/nested/deep").asInt()).isEqualTo(3);
    }

    private static dev.flowgate.compiler.asl.CompileOptions optionsUnchecked() {
        try {
            return CorpusGoldenTest.options();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
