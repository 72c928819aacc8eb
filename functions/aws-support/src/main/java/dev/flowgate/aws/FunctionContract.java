package dev.flowgate.aws;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What one function needs from its deployment: the environment variables its wiring reads (each required in AWS,
 * defaulted, optional, or local only) and the AWS actions its adapters call, each on the resource it touches.
 * <p>
 * The wiring builds the function through {@link #environment} and {@link #aws}, which refuse anything undeclared:
 * reading another variable throws {@link Environment.UndeclaredSettingException}, calling another AWS operation
 * throws {@link UndeclaredSdkCallException} before the request leaves. So the contract cannot fall behind the code
 * (every unit, integration and e2e test runs through it), and infra-cdk's {@code FunctionContractTest} checks each
 * synthesized function's environment and IAM policy against it.
 */
public final class FunctionContract {
    /** How much a variable is needed. */
    public enum Need {
        /** Must be set in the CDK template (no default fits a real account). */
        REQUIRED,
        /** Has a documented default that fits a real account; the template may override it. */
        DEFAULTED,
        /** Optional behaviour, off when absent. */
        OPTIONAL,
        /** Only the local runtime or tests set it (e.g. the emulator's endpoint). */
        LOCAL
    }

    public record Variable(String name, Need need, String meaning) {
    }

    /** The kinds of resources a function's calls touch; infra-cdk maps each to the template resources it means. */
    public enum ResourceKind {
        TABLE, TABLE_INDEXES, SECRET, DATASTORE_BUCKET, DATASTORE_OBJECTS, FLOW_STATE_MACHINES, FLOW_STATE_MACHINE_VERSIONS,
        FLOW_EXECUTIONS, SCHEDULE_GROUP, SCHEDULES, FINISH_RULES, FLOW_SCHEDULE_RULES, FUNCTION, PASSED_ROLE,
        JOB_DEFINITIONS, NO_RESOURCE_LEVEL_PERMISSIONS
    }

    /** A resource of a kind; {@code name} says which one (a table, secret, function or role name), or why. */
    public record Resource(ResourceKind kind, String name) {
        public static Resource of(ResourceKind kind) {
            return new Resource(kind, "");
        }

        public static Resource of(ResourceKind kind, String name) {
            return new Resource(kind, name);
        }
    }

    /** IAM actions (service:Action) allowed on one resource. */
    public record Permission(Set<String> actions, Resource resource) {
        public Permission {
            actions = Set.copyOf(actions);
        }
    }

    private final String function;
    private final List<Variable> variables;
    private final List<Permission> permissions;

    private FunctionContract(String function, List<Variable> variables, List<Permission> permissions) {
        this.function = function;
        this.variables = List.copyOf(variables);
        this.permissions = List.copyOf(permissions);
    }

    public static Builder builder(String function) {
        return new Builder(function);
    }

    public String function() {
        return function;
    }

    public List<Variable> variables() {
        return variables;
    }

    public List<Permission> permissions() {
        return permissions;
    }

    /** Variables the template must set. */
    public Set<String> requiredEnvironment() {
        return variables.stream().filter(v -> v.need() == Need.REQUIRED).map(Variable::name)
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /** Every IAM action the function's SDK calls need. */
    public Set<String> sdkActions() {
        return permissions.stream().flatMap(p -> p.actions().stream()).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /** {@code env} restricted to the declared variables (plus those {@link AwsSettings#from} reads). */
    public Environment environment(Environment env) {
        Set<String> names = new LinkedHashSet<>(AwsSettings.VARIABLES);
        variables.forEach(v -> names.add(v.name()));
        return env.readableOnly(names, function);
    }

    /** AWS settings from {@code env} whose clients refuse operations outside {@link #sdkActions()}. */
    public AwsSettings aws(Environment env) {
        return AwsSettings.from(environment(env)).withInterceptor(new Guard());
    }

    /** The IAM actions one SDK operation needs (a few operations are authorized as other actions). */
    static List<String> iamActions(String service, String operation, Object request) {
        String prefix = switch (service) {
            case "DynamoDb" -> "dynamodb";
            case "S3" -> "s3";
            case "SFN", "Sfn" -> "states";
            case "EventBridge" -> "events";
            case "Scheduler" -> "scheduler";
            case "Batch" -> "batch";
            case "SecretsManager" -> "secretsmanager";
            case "Lambda" -> "lambda";
            default -> service.toLowerCase();
        };
        if (prefix.equals("dynamodb") && request instanceof software.amazon.awssdk.core.SdkRequest r
                && operation.equals("TransactWriteItems")) {
            return TransactActions.of(r);
        }
        String action = switch (prefix + ":" + operation) {
            case "s3:HeadObject" -> "GetObject";
            case "s3:ListObjectsV2", "s3:HeadBucket" -> "ListBucket";
            case "s3:CreateMultipartUpload", "s3:UploadPart", "s3:CompleteMultipartUpload" -> "PutObject";
            case "lambda:Invoke" -> "InvokeFunction";
            default -> operation;
        };
        return List.of(prefix + ":" + action);
    }

    /** TransactWriteItems is authorized per item: Put/Update/Delete/ConditionCheckItem. */
    private static final class TransactActions {
        static List<String> of(software.amazon.awssdk.core.SdkRequest request) {
            List<String> actions = new ArrayList<>();
            request.getValueForField("TransactItems", List.class).ifPresent(items -> {
                for (Object item : items) {
                    software.amazon.awssdk.core.SdkPojo pojo = (software.amazon.awssdk.core.SdkPojo) item;
                    pojo.sdkFields().forEach(f -> {
                        if (f.getValueOrDefault(item) != null) {
                            actions.add("dynamodb:" + switch (f.memberName()) {
                                case "ConditionCheck" -> "ConditionCheckItem";
                                case "Put" -> "PutItem";
                                case "Delete" -> "DeleteItem";
                                default -> "UpdateItem";
                            });
                        }
                    });
                }
            });
            return actions.stream().distinct().toList();
        }
    }

    /** Refuses an SDK call whose IAM actions the contract does not declare, before it is sent. */
    private final class Guard implements ExecutionInterceptor {
        private final Set<String> allowed = sdkActions();

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME);
            String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
            for (String action : iamActions(service, operation, context.request())) {
                if (!allowed.contains(action)) {
                    throw new UndeclaredSdkCallException(function, action);
                }
            }
        }
    }

    /** Code called an AWS operation its function's contract does not declare (a programming error, found by tests). */
    public static final class UndeclaredSdkCallException extends IllegalStateException {
        public UndeclaredSdkCallException(String function, String action) {
            super(function + " calls " + action + ", which its FunctionContract does not declare; declare it with the"
                    + " resource it touches (and allow it in infra-cdk)");
        }
    }

    public static final class Builder {
        private final String function;
        private final List<Variable> variables = new ArrayList<>();
        private final List<Permission> permissions = new ArrayList<>();

        private Builder(String function) {
            this.function = function;
        }

        public Builder required(String name, String meaning) {
            return variable(name, Need.REQUIRED, meaning);
        }

        public Builder defaulted(String name, String meaning) {
            return variable(name, Need.DEFAULTED, meaning);
        }

        public Builder optional(String name, String meaning) {
            return variable(name, Need.OPTIONAL, meaning);
        }

        public Builder local(String name, String meaning) {
            return variable(name, Need.LOCAL, meaning);
        }

        private Builder variable(String name, Need need, String meaning) {
            if (variables.stream().anyMatch(v -> v.name().equals(name))) {
                throw new IllegalArgumentException(name + " is declared twice");
            }
            variables.add(new Variable(name, need, meaning));
            return this;
        }

        public Builder allows(Resource resource, String... actions) {
            permissions.add(new Permission(Set.of(actions), resource));
            return this;
        }

        public FunctionContract build() {
            return new FunctionContract(function, variables, permissions);
        }
    }
}
