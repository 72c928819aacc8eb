package dev.flowgate.compiler;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flowgate.compiler.graph.FlowLintException;
import dev.flowgate.model.json.FlowgateJson;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code @trigger_on_finish} and {@code @schedule} read the way Metaflow's own decorators read them: every case
 * is given to Metaflow's decorator classes (the project's venv, Metaflow 2.19) and to Flowgate's compiler, and
 * both must accept or refuse it; for accepted triggers the upstream must be the same, with the project and
 * branch Metaflow's Argo Workflows integration fills in from the current deployment ({@code @project} "reports",
 * production, so branch "prod"); for schedules, the same cron and time zone. The cases where Flowgate
 * deliberately refuses what Metaflow accepts are listed and asserted as such.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FlowStartsAgainstMetaflowIT {
    private static final Path PYTHON = Path.of("../../.venv/bin/python").toAbsolutePath().normalize();

    /** Decorator arguments as written in a flow file. */
    private static final List<String> TRIGGERS = List.of(
            "flow='UpFlow'",
            "flows=['UpFlow']",
            "flow={'name': 'UpFlow'}",
            "flow={'name': 'UpFlow', 'project': 'ingest', 'project_branch': 'prod'}",
            "flow={'name': 'UpFlow', 'project': 'ingest'}",
            "flow={'name': 'UpFlow', 'project_branch': 'prod.staging'}",
            "flows=[{'name': 'UpFlow', 'project_branch': 'test.my_branch'}]",
            "flow='ingest.prod.UpFlow'",
            "flow='ingest.test.my_branch.UpFlow'",
            "flow='ingest.UpFlow'",
            "flow={'project': 'ingest'}",
            "flow={'name': 'ingest.UpFlow'}",
            "flow='Up-Flow'",
            "flow=42",
            "flows='UpFlow'",
            "flow='UpFlow', flows=['OtherFlow']",
            "",
            "flows=['AFlow', 'BFlow']");
    /** Trigger forms Metaflow accepts and Flowgate refuses on purpose (none since several upstreams wait in a gate). */
    private static final Set<String> FLOWGATE_REFUSES_DELIBERATELY = Set.of();

    private static final List<String> SCHEDULES = List.of(
            "cron='0 3 * * ? *', timezone='Europe/Berlin'",
            "hourly=True",
            "weekly=True, timezone='Asia/Tokyo'",
            "daily=False",
            "",
            "timezone='America/New_York'",
            "timezone='Europe/Berln'");
    /** Metaflow stores any timezone string (Argo fails at deploy); Flowgate checks the IANA name at compile time. */
    private static final Set<String> SCHEDULE_REFUSED_DELIBERATELY = Set.of("timezone='Europe/Berln'");

    private JsonNode metaflow;

    @BeforeAll
    void askMetaflow(@TempDir Path dir) throws Exception {
        assertThat(PYTHON).as("the project venv (scripts/bootstrap-python)").exists();
        Path script = dir.resolve("read_decorators.py");
        // Metaflow's decorators, fed the arguments as Python evaluates them; the Argo integration's rule for the
        // upstream name: project and branch from the trigger, else from the current deployment
        Files.writeString(script, """
                import json, sys
                from metaflow.plugins.events_decorator import TriggerOnFinishDecorator
                from metaflow.plugins.aws.step_functions.schedule_decorator import ScheduleDecorator

                def read(cls, args):
                    deco = cls(attributes=eval("dict(" + args + ")"))
                    if hasattr(deco, "external_init"):
                        deco.external_init()
                    deco.flow_init("DownFlow", None, None, None, None, None, None, {"trigger": None})
                    return deco

                out = {"triggers": [], "schedules": []}
                cases = json.load(sys.stdin)
                for args in cases["triggers"]:
                    try:
                        deco = read(TriggerOnFinishDecorator, args)
                        names = []
                        for t in deco.triggers:
                            project = t.get("project") or "reports"
                            branch = t.get("branch") or "prod"
                            names.append(".".join(v for v in [project, branch, t["flow"]] if v))
                        out["triggers"].append({"ok": True, "upstreams": names})
                    except Exception as e:
                        out["triggers"].append({"ok": False, "error": str(e)})
                for args in cases["schedules"]:
                    try:
                        deco = read(ScheduleDecorator, args)
                        out["schedules"].append({"ok": True, "cron": deco.schedule, "timezone": deco.timezone})
                    except Exception as e:
                        out["schedules"].append({"ok": False, "error": str(e)})
                print(json.dumps(out))
                """);
        Map<String, Object> cases = new LinkedHashMap<>();
        cases.put("triggers", TRIGGERS);
        cases.put("schedules", SCHEDULES);
        ProcessBuilder builder = new ProcessBuilder(PYTHON.toString(), script.toString()).directory(dir.toFile());
        builder.environment().put("METAFLOW_HOME", dir.resolve(".mfhome").toString());
        builder.environment().put("USERNAME", "flowgate-test");
        builder.redirectError(dir.resolve("stderr.txt").toFile());
        Process process = builder.start();
        process.getOutputStream().write(FlowgateJson.write(cases).getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output + Files.readString(dir.resolve("stderr.txt"))).isZero();
        String[] lines = output.trim().split("\n");
        metaflow = FlowgateJson.parse(lines[lines.length - 1]);
    }

    private static String flow(String decorator) {
        return "from metaflow import FlowSpec, step, project, schedule, trigger_on_finish\n"
                + decorator + "\n@project(name='reports')\n"
                + "class DownFlow(FlowSpec):\n    @step\n    def start(self):\n        self.next(self.end)\n"
                + "    @step\n    def end(self):\n        pass\n";
    }

    private static Optional<CompiledFlow> flowgate(String decorator) throws IOException {
        try {
            return Optional.of(FlowCompiler.compile(FlowCompiler.parse("f.py", flow(decorator)), CorpusGoldenTest.options()));
        } catch (FlowLintException e) {
            assertThat(e.problems()).allSatisfy(p -> assertThat(p.line()).isEqualTo(2));
            return Optional.empty();
        }
    }

    @Test
    void triggerOnFinish_acceptsAndRefusesWhatMetaflowDoes_andResolvesTheSameUpstream() throws IOException {
        List<String> disagreements = new ArrayList<>();
        for (int i = 0; i < TRIGGERS.size(); i++) {
            String args = TRIGGERS.get(i);
            JsonNode theirs = metaflow.get("triggers").get(i);
            Optional<CompiledFlow> ours = flowgate("@trigger_on_finish(" + args + ")");
            if (FLOWGATE_REFUSES_DELIBERATELY.contains(args)) {
                assertThat(theirs.get("ok").asBoolean()).as("Metaflow accepts " + args).isTrue();
                assertThat(ours).as("Flowgate refuses " + args).isEmpty();
                continue;
            }
            if (theirs.get("ok").asBoolean() != ours.isPresent()) {
                disagreements.add(args + ": Metaflow " + (theirs.get("ok").asBoolean() ? "accepts" : "refuses ("
                        + theirs.path("error").asText() + ")") + ", Flowgate " + (ours.isPresent() ? "accepts" : "refuses"));
            } else if (ours.isPresent()) {
                List<String> upstreams = ours.get().finishTriggers().stream().map(CompiledFlow.FinishTrigger::stateMachineName).toList();
                List<String> expected = new ArrayList<>();
                theirs.get("upstreams").forEach(n -> expected.add(n.asText()));
                if (!upstreams.equals(expected)) {
                    disagreements.add(args + ": Metaflow/Argo upstream " + expected + ", Flowgate " + upstreams);
                }
            }
        }
        assertThat(disagreements).isEmpty();
        assertThat(metaflow.get("triggers").findValues("ok").stream().filter(JsonNode::asBoolean).count())
                .as("cases Metaflow accepts").isGreaterThanOrEqualTo(9);
    }

    @Test
    void schedule_readsCronAndTimezoneAsMetaflowDoes() throws IOException {
        List<String> disagreements = new ArrayList<>();
        for (int i = 0; i < SCHEDULES.size(); i++) {
            String args = SCHEDULES.get(i);
            JsonNode theirs = metaflow.get("schedules").get(i);
            assertThat(theirs.get("ok").asBoolean()).as("Metaflow accepts @schedule(" + args + ")").isTrue();
            Optional<CompiledFlow> ours = flowgate("@schedule(" + args + ")");
            if (SCHEDULE_REFUSED_DELIBERATELY.contains(args)) {
                assertThat(ours).as("Flowgate refuses @schedule(" + args + ")").isEmpty();
                continue;
            }
            assertThat(ours).as("Flowgate accepts @schedule(" + args + ")").isPresent();
            Optional<String> expression = theirs.get("cron").isNull() ? Optional.empty()
                    : Optional.of("cron(" + theirs.get("cron").asText() + ")");
            Optional<String> timezone = theirs.get("timezone").isNull() || expression.isEmpty() ? Optional.empty()
                    : Optional.of(theirs.get("timezone").asText());
            Optional<CompiledFlow.Schedule> schedule = ours.get().schedule();
            if (!schedule.map(CompiledFlow.Schedule::expression).equals(expression)
                    || !schedule.flatMap(CompiledFlow.Schedule::timezone).equals(timezone)) {
                disagreements.add(args + ": Metaflow " + expression + " " + timezone + ", Flowgate " + schedule);
            }
        }
        assertThat(disagreements).isEmpty();
    }
}
