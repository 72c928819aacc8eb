package dev.flowgate.deployer.domain.graph;

import dev.flowgate.deployer.domain.CodePackageReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlainPickleTest {
    static byte[] realGraphInfo() throws IOException {
        try (InputStream in = PlainPickleTest.class.getResourceAsStream("/graphinfo/mutated_flow_graph_info.gz")) {
            return in.readAllBytes();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void realGraphInfo_madeByMetaflow_decodesToPlainValues() throws IOException {
        byte[] pickle = PlainPickle.gunzip(realGraphInfo());

        assertThat(CodePackageReader.sha1(pickle)).isEqualTo("d9ecf7ac8fcfd6b8469a5bc89f05eec1250bc19d");
        Map<?, ?> record = (Map<?, ?>) PlainPickle.decode(pickle);
        assertThat(record.get("start_step")).isEqualTo("start");
        Map<?, ?> train = (Map<?, ?>) ((Map<?, ?>) record.get("steps")).get("train");
        assertThat(train.get("next")).isEqualTo(List.of("end"));
        Map<?, ?> resources = (Map<?, ?>) ((List<?>) train.get("decorators")).get(1);
        assertThat(resources.get("name")).isEqualTo("resources");
        assertThat((Map<Object, Object>) resources.get("attributes")).containsEntry("gpu", 2L).containsEntry("memory", 24576L)
                .containsEntry("cpu", "1").containsEntry("disk", "None");
        assertThat(resources.get("inserted_by")).isEqualTo(List.of("__main__.on_gpu"));
        assertThat(resources.get("statically_defined")).isEqualTo(true);
    }

    /** Pickles that name or build a class, as Python writes them (crafted byte by byte). */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // Python's pickle.dumps of an object whose __reduce__ returns (print, ('id',)), protocol 2: GLOBAL, REDUCE
            "GLOBAL, 8002635f5f6275696c74696e5f5f0a7072696e740a71005802000000696471018571025271032e, 2",
            // protocol 4: SHORT_BINUNICODE 'os', 'system', STACK_GLOBAL
            "STACK_GLOBAL, 8004 8c 026f73 8c 0673797374656d 93 8c 026964 85 52 2e, 14",
            // REDUCE on plain values alone (no class named, still a call)
            "REDUCE, 8002 4e 29 52 2e, 4",
            // protocol 0 INST: (ios\\nsystem\\nS'id'\\n
            "INST, 28 69 6f730a 73797374656d0a 53 27696427 0a 2e, 1",
            "OBJ, 80 02 28 4e 6f 2e, 4",
            "NEWOBJ, 80 02 4e 29 81 2e, 4",
            "NEWOBJ_EX, 80 04 4e 29 7d 92 2e, 5",
            "BUILD, 80 02 7d 7d 62 2e, 4",
            "EXT, 80 02 82 01 2e, 2",
            "PERSID, 50 31 0a 2e, 0",
            "BYTEARRAY8, 80 05 96 0000000000000000 2e, 2"})
    void picklesThatNameOrBuildAClass_areRefusedBeforeAnythingIsConstructed(String opcode, String hex, int at) {
        byte[] pickle = HexFormat.of().parseHex(hex.replace(" ", ""));

        assertThatThrownBy(() -> PlainPickle.decode(pickle)).isInstanceOf(PlainPickle.Refused.class)
                .hasMessageContaining("opcode " + opcode + " at byte " + at).hasMessageContaining("never a class");
    }

    @Test
    void malformedPickles_areRefused() {
        assertThatThrownBy(() -> PlainPickle.decode(HexFormat.of().parseHex("8004" + "8c05616263")))
                .isInstanceOf(PlainPickle.Refused.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> PlainPickle.decode(HexFormat.of().parseHex("80044e2e4e")))
                .isInstanceOf(PlainPickle.Refused.class).hasMessageContaining("after STOP");
        assertThatThrownBy(() -> PlainPickle.decode(HexFormat.of().parseHex("80044e")))
                .isInstanceOf(PlainPickle.Refused.class).hasMessageContaining("without STOP");
        assertThatThrownBy(() -> PlainPickle.decodeGzipped(new byte[]{1, 2, 3}))
                .isInstanceOf(PlainPickle.Refused.class).hasMessageContaining("not gzip");
    }

    @Test
    void aGzipThatExpandsBeyondTheLimit_isRefusedWithoutReadingItAll() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 17; i++) {
                gzip.write(zeros);
            }
        }
        assertThatThrownBy(() -> PlainPickle.decodeGzipped(out.toByteArray())).isInstanceOf(PlainPickle.Refused.class)
                .hasMessageContaining("expands to more than");
    }

    @Test
    void plainValuesOfEveryKind_decode() {
        // Python's pickle.dumps({'a': (1, 2.5, None, True), 'b': [b'x', 'y'], 'c': {1}, 'big': 2**70}, protocol=4)
        byte[] pickle = HexFormat.of().parseHex("80049544000000000000007d94288c016194284b014740040000000000004e8874948c0162"
                + "945d9428430178948c017994658c0163948f94284b01908c03626967948a09000000000000000040752e");
        Map<?, ?> value = (Map<?, ?>) PlainPickle.decode(pickle);
        assertThat(value.get("a")).isEqualTo(java.util.Arrays.asList(1L, 2.5, null, true));
        assertThat((List<?>) value.get("b")).hasSize(2).element(1).isEqualTo("y");
        assertThat(value.get("c")).isEqualTo(java.util.Set.of(1L));
        assertThat(value.get("big")).isEqualTo(java.math.BigInteger.TWO.pow(70));
    }
}
