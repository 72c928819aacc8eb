package dev.flowgate.aws;

import dev.flowgate.aws.FunctionContract.Resource;
import dev.flowgate.aws.FunctionContract.ResourceKind;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FunctionContractTest {
    private static final FunctionContract CONTRACT = FunctionContract.builder("example")
            .required("FLOWGATE_RESOURCE_PREFIX", "prefix")
            .defaulted("FLOWGATE_TTL", "ttl (default 1)")
            .local("FLOWGATE_LOCAL_URL", "local runtime")
            .allows(Resource.of(ResourceKind.TABLE, "control"), "dynamodb:GetItem", "dynamodb:PutItem")
            .allows(Resource.of(ResourceKind.FUNCTION, "alerter"), "lambda:InvokeFunction")
            .build();

    @Test
    void requiredEnvironmentAndSdkActions_comeFromTheDeclarations() {
        assertThat(CONTRACT.requiredEnvironment()).containsExactly("FLOWGATE_RESOURCE_PREFIX");
        assertThat(CONTRACT.sdkActions()).containsExactlyInAnyOrder("dynamodb:GetItem", "dynamodb:PutItem", "lambda:InvokeFunction");
    }

    @Test
    void theRestrictedEnvironment_readsDeclaredVariables_andRefusesOthersNamingThem() {
        Environment env = CONTRACT.environment(Environment.of(Map.of("FLOWGATE_RESOURCE_PREFIX", "team", "OTHER", "x")));
        assertThat(env.get("FLOWGATE_RESOURCE_PREFIX")).contains("team");
        assertThat(env.get("FLOWGATE_TTL", "1")).isEqualTo("1");
        assertThat(env.get("AWS_REGION")).isEmpty();
        assertThat(env.with("FLOWGATE_TTL", "2").get("FLOWGATE_TTL")).contains("2");
        assertThatThrownBy(() -> env.get("OTHER")).isInstanceOf(Environment.UndeclaredSettingException.class)
                .hasMessageContaining("example reads environment variable OTHER");
        assertThatThrownBy(() -> env.with("A", "b").getInt("FLOWGATE_UNDECLARED", 1))
                .isInstanceOf(Environment.UndeclaredSettingException.class);
    }

    @Test
    void operationsMapToTheIamActionsThatAuthorizeThem() {
        assertThat(FunctionContract.iamActions("DynamoDb", "GetItem", null)).containsExactly("dynamodb:GetItem");
        assertThat(FunctionContract.iamActions("Sfn", "CreateStateMachine", null)).containsExactly("states:CreateStateMachine");
        assertThat(FunctionContract.iamActions("Lambda", "Invoke", null)).containsExactly("lambda:InvokeFunction");
        assertThat(FunctionContract.iamActions("S3", "HeadObject", null)).containsExactly("s3:GetObject");
        assertThat(FunctionContract.iamActions("EventBridge", "PutRule", null)).containsExactly("events:PutRule");
    }

    @Test
    void aVariableIsDeclaredOnce() {
        assertThatThrownBy(() -> FunctionContract.builder("x").required("A", "a").optional("A", "again"))
                .hasMessageContaining("A is declared twice");
    }
}
