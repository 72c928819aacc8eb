package dev.flowgate.model.naming;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class NameHashTest {

    @Test
    void base32_matchesRfc4648Vectors() {
        assertThat(NameHash.base32("foobar".getBytes(StandardCharsets.US_ASCII))).isEqualTo("MZXW6YTBOI");
        assertThat(NameHash.base32("f".getBytes(StandardCharsets.US_ASCII))).isEqualTo("MY");
        assertThat(NameHash.base32(new byte[0])).isEmpty();
    }

    @Test
    void base32Sha1_isLowercaseAnd32Characters() {
        // python: base64.b32encode(hashlib.sha1(b"abc").digest()).decode().lower()
        assertThat(NameHash.base32Sha1("abc")).isEqualTo("vgmt4nsha2awvor6evyxqugcnsonbwe5").hasSize(32);
    }
}
