package dev.flowgate.compiler.parse;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whatever a decorator argument holds, reading and computing it either gives a value, keeps it as written, or refuses
 * it as a {@link SyntaxProblem} with a line: never another exception (which would be a 500 in the deployer), never a
 * value over the limits. Random token sequences from Python's expression vocabulary, biased towards big numbers.
 */
class ExpressionRobustnessPropertiesTest {
    private static final List<String> VOCABULARY = List.of("0", "1", "2", "-1", "10", "0.5", "1e308", "-0.0", "0x1f", "1_000",
            "99999999999999999999", "'a'", "\"bc\"", "''", "f'{A}'", "f'{B:>5}'", "f'{A!r:.3}'", "A", "B", "L", "D", "T",
            "+", "-", "*", "/", "//", "%", "**", "<<", ">>", "&", "|", "^", "~", "<", "==", "!=", ">=", "in", "not", "is",
            "and", "or", "if", "else", "(", ")", "[", "]", "{", "}", ",", ":", "**", "*", "len", "int", "float", "str",
            "min", "max", "round", "abs", "lambda", "for", "x", ".", "upper");
    private static final Map<String, ConstantFolder.Binding> SCOPE = Map.of(
            "A", new ConstantFolder.Binding.Constant(java.math.BigInteger.valueOf(12288)),
            "B", new ConstantFolder.Binding.Constant(2.5),
            "L", new ConstantFolder.Binding.Constant(new PyValues.PyList(List.of("a", java.math.BigInteger.ONE))),
            "T", new ConstantFolder.Binding.Constant(new PyValues.PyTuple(List.of())),
            "D", new ConstantFolder.Binding.Constant(dict()));

    private static PyValues.PyDict dict() {
        PyValues.PyDict d = new PyValues.PyDict();
        d.put("cpu", java.math.BigInteger.TWO);
        return d;
    }

    @Provide
    Arbitrary<String> expressions() {
        return Arbitraries.of(VOCABULARY).list().ofMinSize(1).ofMaxSize(12).map(tokens -> String.join(" ", tokens));
    }

    @Property(tries = 3000)
    void anyExpression_isComputedKeptOrRefusedWithALine(@ForAll("expressions") String expression) {
        List<Token> tokens;
        try {
            tokens = Tokenizer.tokenize(expression);
        } catch (SyntaxProblem unreadable) {
            return; // e.g. an unclosed bracket: the file is refused before any expression is read
        }
        ExprParser parser = new ExprParser(tokens, 0);
        PyAst ast = parser.expression();
        ConstantFolder folder = new ConstantFolder(SCOPE::get);
        try {
            Object value = folder.valueAt(ast, 3);
            assertThat(PyValues.weight(value instanceof ConstantFolder.NotConstant ? "" : value)).isLessThanOrEqualTo(ConstantFolder.MAX_WEIGHT);
            assertThat(folder.fold(ast, 3)).isNotNull();
        } catch (SyntaxProblem refused) {
            assertThat(refused.line()).isEqualTo(3);
        }
    }

    @Property(tries = 300)
    void aggressivePowersAndRepetitions_areRefusedQuickly(@ForAll("abusive") String expression) {
        ExprParser parser = new ExprParser(Tokenizer.tokenize(expression), 0);
        PyAst ast = parser.expression();
        try {
            new ConstantFolder(SCOPE::get).valueAt(ast, 1);
        } catch (SyntaxProblem refused) {
            assertThat(refused.getMessage()).containsAnyOf("would compute", "raises");
        }
    }

    @Provide
    Arbitrary<String> abusive() {
        Arbitrary<String> big = Arbitraries.of("10 ** 9", "2 ** 40", "-2 ** 62", "(-2) ** 99999", "A ** A", "10 ** 10 ** 10", "1 << 10 ** 6");
        Arbitrary<String> seq = Arbitraries.of("'a'", "'ab' * 300", "[0]", "[[1, 2]] * 50", "()", "''", "[]", "(1,)", "L", "str(A)");
        return net.jqwik.api.Combinators.combine(seq, big, Arbitraries.of("*", "**", "<<", "+", "//"))
                .as((s, b, op) -> s + " " + op + " " + b);
    }
}
