package dev.flowgate.deployer.domain;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

/** Deployment ids that sort by time: {@code d-20261129T001500123Z-3f9a1c}. */
public class DeploymentIds {
    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);
    private final SecureRandom random = new SecureRandom();

    public String next(Instant now) {
        byte[] bytes = new byte[3];
        random.nextBytes(bytes);
        return "d-" + FORMAT.format(now) + "-" + HexFormat.of().formatHex(bytes);
    }
}
