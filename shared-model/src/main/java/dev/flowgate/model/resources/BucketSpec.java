package dev.flowgate.model.resources;

import java.util.Objects;

/** An S3 bucket Flowgate needs; the physical name is the deployment prefix plus the logical name. */
public record BucketSpec(String logicalName, String description) {
    public BucketSpec {
        Objects.requireNonNull(logicalName, "logicalName");
    }
}
