package dev.flowgate.model.naming;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Combinators;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PathspecTest {

    @Test
    void parse_whenTaskPathspecWithStringRunId_keepsEachPart() {
        Pathspec p = Pathspec.parse("TrainFlow/sfn-1a2b/train/17");
        assertThat(p.flow()).isEqualTo("TrainFlow");
        assertThat(p.run()).isEqualTo(ObjectId.ofName("sfn-1a2b"));
        assertThat(p.step()).isEqualTo("train");
        assertThat(p.task()).isEqualTo(ObjectId.ofNumber(17));
        assertThat(p.depth()).isEqualTo(Pathspec.Depth.TASK);
        assertThat(p.parent()).contains(Pathspec.step("TrainFlow", ObjectId.ofName("sfn-1a2b"), "train"));
    }

    @Test
    void parse_whenDigitsOnly_meansNumericId() {
        assertThat(Pathspec.parse("F/0042").run()).isEqualTo(ObjectId.ofNumber(42));
        assertThat(Pathspec.parse("F/42").run().jsonValue()).isEqualTo(42L);
        assertThat(Pathspec.parse("F/argo-x").run().jsonValue()).isEqualTo("argo-x");
    }

    @Test
    void parse_whenTooManyParts_namesTheProblem() {
        assertThatThrownBy(() -> Pathspec.parse("F/1/start/2/x"))
                .isInstanceOf(InvalidNameException.class)
                .hasMessageContaining("at most 4");
    }

    @Test
    void parse_whenEmptySegment_namesTheField() {
        assertThatThrownBy(() -> Pathspec.parse("F//start"))
                .isInstanceOfSatisfying(InvalidNameException.class, e -> assertThat(e.field()).isEqualTo("run_id"));
    }

    @Test
    void parse_whenStepNameInvalid_namesStepField() {
        assertThatThrownBy(() -> Pathspec.parse("F/1/Train"))
                .isInstanceOfSatisfying(InvalidNameException.class, e -> assertThat(e.field()).isEqualTo("step_name"));
        assertThatThrownBy(() -> Pathspec.parse("F/1/next"))
                .hasMessageContaining("reserved");
    }

    @Property
    void printThenParse_isIdentity(@ForAll("pathspecs") Pathspec pathspec) {
        assertThat(Pathspec.parse(pathspec.toString())).isEqualTo(pathspec);
    }

    @Property
    void parse_rejectsAnyFlowNameStartingWithDigitOrHoldingPunctuation(
            @ForAll("badFlowNames") String flowName) {
        assertThatThrownBy(() -> Pathspec.parse(flowName + "/1"))
                .isInstanceOf(InvalidNameException.class);
    }

    @Property
    void stepNames_withUppercaseOrLeadingUnderscore_areRejected(@ForAll("badStepNames") String step) {
        assertThat(MetaflowNames.isStepName(step)).isFalse();
        assertThatThrownBy(() -> MetaflowNames.requireStepName("step_name", step))
                .isInstanceOf(InvalidNameException.class);
    }

    @Provide
    Arbitrary<Pathspec> pathspecs() {
        Arbitrary<String> flows = Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z')
                .withChars('_').ofMinLength(1).ofMaxLength(20)
                .map(s -> "F" + s);
        Arbitrary<ObjectId> ids = Arbitraries.oneOf(
                Arbitraries.longs().between(0, Long.MAX_VALUE).map(ObjectId::ofNumber),
                Arbitraries.strings().withCharRange('a', 'z').withChars('-', '_', '.', ':').ofMinLength(1)
                        .ofMaxLength(40).map(s -> "sfn-" + s).map(ObjectId::ofName));
        Arbitrary<String> steps = Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9')
                .withChars('_').ofMinLength(0).ofMaxLength(20).map(s -> "s" + s)
                .filter(MetaflowNames::isStepName);
        return Combinators.combine(flows, ids, steps, ids, Arbitraries.integers().between(1, 4))
                .as((f, r, s, t, depth) -> switch (depth) {
                    case 1 -> Pathspec.flow(f);
                    case 2 -> Pathspec.run(f, r);
                    case 3 -> Pathspec.step(f, r, s);
                    default -> Pathspec.task(f, r, s, t);
                });
    }

    @Provide
    Arbitrary<String> badFlowNames() {
        Arbitrary<String> tail = Arbitraries.strings().alpha().ofMaxLength(10);
        return Arbitraries.oneOf(
                Combinators.combine(Arbitraries.chars().range('0', '9'), tail).as((c, t) -> c + t),
                Combinators.combine(tail, Arbitraries.of('-', '.', ' ', '!', ':', 'é'), tail)
                        .as((a, c, b) -> "F" + a + c + b));
    }

    @Provide
    Arbitrary<String> badStepNames() {
        Arbitrary<String> tail = Arbitraries.strings().withCharRange('a', 'z').ofMaxLength(10);
        return Arbitraries.oneOf(
                tail.map(t -> "_" + t),
                Combinators.combine(tail, Arbitraries.chars().range('A', 'Z'), tail).as((a, c, b) -> a + c + b),
                Combinators.combine(tail, Arbitraries.of('-', '.', ' '), tail).as((a, c, b) -> "s" + a + c + b),
                Arbitraries.of(MetaflowNames.RESERVED_STEP_NAMES));
    }
}
