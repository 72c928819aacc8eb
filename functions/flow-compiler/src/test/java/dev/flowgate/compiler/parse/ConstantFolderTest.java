package dev.flowgate.compiler.parse;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Python semantics of the folder, case by case against what CPython computes: {@code python_semantics.tsv} is written
 * by {@code generate.py} next to it, which evaluates every expression with the real interpreter (the expected value's
 * repr, or {@code !ErrorType} when Python raises).
 */
class ConstantFolderTest {
    /** The names generate.py binds, as module constants. */
    private static final Map<String, String> NAMES = Map.of("MEMORY", "12288", "CPU", "4", "NAME", "'train'", "RATE", "0.5",
            "TAGS", "['a', 'b']", "LIMITS", "{'cpu': 8, 'gpu': 1}", "PAIR", "(1, 'x')", "NOTHING", "None", "ON", "True");
    private static final Map<String, ConstantFolder.Binding> SCOPE = new HashMap<>();

    static {
        ConstantFolder literals = new ConstantFolder(name -> null);
        NAMES.forEach((name, literal) -> SCOPE.put(name, new ConstantFolder.Binding.Constant(literals.valueAt(parse(literal), 1))));
    }

    static Stream<String[]> cases() throws IOException {
        try (InputStream in = ConstantFolderTest.class.getResourceAsStream("/pyexpr/python_semantics.tsv")) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return text.lines().filter(l -> !l.isBlank()).map(l -> l.split("\t", 2)).toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}  ->  {1}")
    @MethodSource("cases")
    void computesWhatCPythonComputes(String expression, String expected) {
        if (expected.startsWith("!")) {
            assertThatThrownBy(() -> value(expression)).isInstanceOf(SyntaxProblem.class)
                    .hasMessageContaining(expected.substring(1));
        } else {
            Object value = value(expression);
            assertThat(value).as(expression).isNotInstanceOf(ConstantFolder.NotConstant.class);
            assertThat(PyValues.repr(value)).isEqualTo(expected);
        }
    }

    @Test
    void pep701_fStringsNestingTheSameQuote_areComputed() {
        assertThat(value("f\"{LIMITS[\"cpu\"]}-{\"x\"}\"")).isEqualTo("8-x");
        assertThat(value("f'{f'{NAME}-{f'{CPU}'}'}'")).isEqualTo("train-4");
        assertThat(value("f\"\"\"{\n  CPU * 2  # doubled\n}\"\"\"")).isEqualTo("8");
        assertThat(value("f'{'\\n'.join(TAGS)}'")).isInstanceOf(ConstantFolder.NotConstant.class); // a method call
    }

    @Test
    void resourceAbuse_isRefusedBeforeTheValueIsBuilt() {
        for (String abusive : List.of("10 ** 10 ** 10", "'a' * 10 ** 9", "[0] * 10 ** 9", "2 ** 100000", "1 << 100000",
                "(['x' * 1000] * 1000) * 1000", "f'{CPU:>1000000000}'", "int('9' * 5000)", "'ab' * 60000", "(-2) ** 10 ** 9",
                "-3 ** 10 ** 6")) {
            assertThatThrownBy(() -> value(abusive)).as(abusive).isInstanceOf(SyntaxProblem.class)
                    .hasMessageContaining("would compute").hasMessageContaining("up to");
        }
        assertThat(value("'a' * 100000")).asString().hasSize(100_000);
        assertThat(value("'' * 10 ** 18")).isEqualTo("");
        assertThat(PyValues.repr(value("[] * 10 ** 18 + [()] * 3"))).isEqualTo("[(), (), ()]");
    }

    @Test
    void deepNesting_isNotComputedAndDoesNotOverflowTheStack() {
        String deep = "(".repeat(5000) + "1" + ")".repeat(5000);
        assertThat(value(deep)).isInstanceOf(ConstantFolder.NotConstant.class);
        String longChain = String.join(" + ", java.util.Collections.nCopies(20000, "1"));
        assertThat(value(longChain)).isEqualTo(java.math.BigInteger.valueOf(20000));
        assertThat(value("-".repeat(5000) + "1")).isInstanceOf(ConstantFolder.NotConstant.class);
        assertThat(value("f'{".repeat(30) + "CPU" + "}'".repeat(30))).isEqualTo("4");
        assertThatThrownBy(() -> Tokenizer.tokenize("f'{".repeat(5000) + "1" + "}'".repeat(5000)))
                .isInstanceOf(SyntaxProblem.class).hasMessageContaining("nested");
        assertThatThrownBy(() -> Tokenizer.tokenize("f'{CPU:" + "{CPU:".repeat(5000) + "}".repeat(5001) + "'"))
                .isInstanceOf(SyntaxProblem.class).hasMessageContaining("nested");
    }

    @Test
    void whatIsNotAConstant_isKeptAsWrittenWithTheReason() {
        assertThat(notConstant("os.environ['X']")).contains("attribute");
        assertThat(notConstant("UNKNOWN * 2")).contains("'UNKNOWN' is not a constant");
        assertThat(notConstant("compute(4)")).contains("compute()").contains("does not run");
        assertThat(notConstant("max(TAGS, key=len)")).contains("key=");
        assertThat(notConstant("[x for x in TAGS]")).contains("not an expression Flowgate computes");
        assertThat(notConstant("'%s-%d' % (NAME, CPU)")).contains("f-string");
        assertThat(notConstant("(-8) ** 0.5")).contains("complex");
        assertThat(notConstant("CPU is 4")).contains("==");
    }

    @Test
    void fold_keepsTheStructureTheCompilerReadsAroundWhatIsNotConstant() {
        ConstantFolder folder = new ConstantFolder(SCOPE::get);
        assertThat(folder.fold(parse("self.train"), 1)).isEqualTo(new PyExpr.Dotted(List.of("self", "train")));
        PyExpr hooks = folder.fold(parse("[notify, f'{NAME}-hook']"), 1);
        assertThat(hooks).isInstanceOfSatisfying(PyExpr.Seq.class, seq -> {
            assertThat(seq.items().get(0)).isEqualTo(new PyExpr.Dotted(List.of("notify")));
            assertThat(seq.items().get(1)).isInstanceOfSatisfying(PyExpr.Str.class, s -> assertThat(s.value()).isEqualTo("train-hook"));
        });
        assertThat(folder.fold(parse("config_expr('cfg.a')"), 1)).isInstanceOf(PyExpr.Call.class);
        assertThat(folder.fold(parse("cfg['a'] * CPU"), 1)).isInstanceOfSatisfying(PyExpr.Opaque.class,
                o -> assertThat(o.source()).contains("cfg"));
        assertThat(folder.fold(parse("MEMORY * 2"), 1)).isEqualTo(new PyExpr.Num("24576"));
        assertThat(folder.fold(parse("MEMORY * RATE"), 1)).isEqualTo(new PyExpr.Num("6144.0"));
        assertThat(folder.fold(parse("0x10"), 1)).isEqualTo(new PyExpr.Num("16"));
        assertThat(PyExpr.literal(folder.fold(parse("2 ** 80"), 1))).isEqualTo(new java.math.BigInteger("1208925819614629174706176"));
        assertThat(folder.fold(parse("float('inf')"), 1)).isInstanceOf(PyExpr.Call.class); // no literal for inf: kept as written
    }

    @Test
    void shadowedBuiltins_areNotCalled() {
        Map<String, ConstantFolder.Binding> scope = new HashMap<>(SCOPE);
        scope.put("len", new ConstantFolder.Binding.Unknown("'len' is a function (line 3), not a constant"));
        assertThat(new ConstantFolder(scope::get).valueAt(parse("len(TAGS)"), 1)).isInstanceOf(ConstantFolder.NotConstant.class);
    }

    private static Object value(String expression) {
        return new ConstantFolder(SCOPE::get).valueAt(parse(expression), 1);
    }

    private static String notConstant(String expression) {
        Object value = value(expression);
        assertThat(value).as(expression).isInstanceOf(ConstantFolder.NotConstant.class);
        return ((ConstantFolder.NotConstant) value).reason();
    }

    static PyAst parse(String expression) {
        List<Token> tokens = Tokenizer.tokenize(expression);
        ExprParser parser = new ExprParser(tokens, 0);
        PyAst ast = parser.expression();
        assertThat(parser.peek().kind()).as("the whole of " + expression.substring(0, Math.min(60, expression.length())) + " is read")
                .isIn(Token.Kind.NEWLINE, Token.Kind.END);
        return ast;
    }
}
