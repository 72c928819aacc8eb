package dev.flowgate.deployer.adapter;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.flowgate.aws.AwsSettings;
import dev.flowgate.deployer.domain.DeployError;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.util.Arrays;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The package cap when the object's Content-Length does not tell the size: an S3-speaking server that streams the body
 * chunked (no Content-Length), which moto never does. The Content-Length refusal itself is in {@code AwsAdaptersIT}.
 */
class S3CodePackageStoreTest {
    static final WireMockServer S3 = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
    static final String LOCATION = "s3://datastore/mf/BigFlow/data/ab/abc";
    S3Client s3;

    @BeforeAll
    static void start() {
        S3.start();
    }

    @AfterAll
    static void stop() {
        S3.stop();
    }

    @BeforeEach
    void reset() {
        S3.resetAll();
        s3 = AwsSettings.forEmulator(URI.create("http://127.0.0.1:" + S3.port()), "us-east-1")
                .configure(S3Client.builder().forcePathStyle(true));
    }

    private static void serveChunked(byte[] body) {
        S3.stubFor(get(urlPathEqualTo("/datastore/mf/BigFlow/data/ab/abc"))
                .willReturn(aResponse().withStatus(200).withBody(body).withChunkedDribbleDelay(4, 20)));
    }

    @Test
    void fetch_aBodyWithoutContentLengthThatRunsPastTheCap_isRefusedNamingLocationAndCap() {
        serveChunked(new byte[5000]);
        S3CodePackageStore packages = new S3CodePackageStore(s3, "s3://datastore/mf", 1024);

        assertThatThrownBy(() -> packages.fetch(LOCATION))
                .isInstanceOfSatisfying(DeployError.PackageTooLarge.class, e -> {
                    assertThat(e.location()).isEqualTo(LOCATION);
                    assertThat(e.cap()).isEqualTo(1024);
                })
                .hasMessage("code package at " + LOCATION + " is larger than the cap of 1024 bytes (its body ran past the cap;"
                        + " Content-Length absent); refused without reading it further");
    }

    @Test
    void fetch_aBodyWithoutContentLengthAtTheCap_isReadWhole() {
        byte[] body = new byte[1024];
        Arrays.fill(body, (byte) 7);
        serveChunked(body);
        assertThat(new S3CodePackageStore(s3, "s3://datastore/mf", 1024).fetch(LOCATION)).isEqualTo(body);
    }

    @Test
    void aCapThatNoByteArrayCanHold_isRefusedAtConstruction() {
        assertThatThrownBy(() -> new S3CodePackageStore(s3, "s3://datastore/mf", 3L << 30))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxPackageBytes");
        assertThatThrownBy(() -> new S3CodePackageStore(s3, "s3://datastore/mf", 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
