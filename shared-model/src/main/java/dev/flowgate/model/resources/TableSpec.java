package dev.flowgate.model.resources;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A DynamoDB table as Flowgate needs it, described without AWS types so that the CDK stacks and the
 * local runtime build the very same table from one definition (they cannot drift).
 *
 * @param logicalName   the name without the deployment prefix, e.g. {@code metadata}
 * @param partitionKey  the hash key
 * @param sortKey       the range key, or {@code null}
 * @param globalIndexes global secondary indexes (all projected ALL)
 * @param ttlAttribute  the attribute DynamoDB expires items by, or {@code null} for none
 */
public record TableSpec(String logicalName, KeyAttribute partitionKey, KeyAttribute sortKey,
                        List<IndexSpec> globalIndexes, String ttlAttribute) {

    public TableSpec {
        Objects.requireNonNull(logicalName, "logicalName");
        Objects.requireNonNull(partitionKey, "partitionKey");
        globalIndexes = List.copyOf(globalIndexes == null ? List.of() : globalIndexes);
    }

    public Optional<KeyAttribute> sortKeyIfAny() {
        return Optional.ofNullable(sortKey);
    }

    public Optional<String> ttlAttributeIfAny() {
        return Optional.ofNullable(ttlAttribute);
    }

    /** A key attribute: its name and DynamoDB scalar type. */
    public record KeyAttribute(String name, Kind kind) {
        public KeyAttribute {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(kind, "kind");
        }

        public static KeyAttribute string(String name) {
            return new KeyAttribute(name, Kind.STRING);
        }

        public static KeyAttribute number(String name) {
            return new KeyAttribute(name, Kind.NUMBER);
        }
    }

    /** DynamoDB's key attribute types. */
    public enum Kind { STRING, NUMBER, BINARY }

    /** A global secondary index projecting all attributes. */
    public record IndexSpec(String name, KeyAttribute partitionKey, KeyAttribute sortKey) {
        public IndexSpec {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(partitionKey, "partitionKey");
        }
    }
}
