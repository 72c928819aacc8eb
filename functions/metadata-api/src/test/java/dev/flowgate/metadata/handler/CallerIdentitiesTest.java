package dev.flowgate.metadata.handler;

import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent.ProxyRequestContext;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent.RequestIdentity;
import dev.flowgate.metadata.domain.Caller;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CallerIdentitiesTest {
    private static APIGatewayProxyRequestEvent event(Map<String, Object> authorizer, RequestIdentity identity) {
        ProxyRequestContext context = new ProxyRequestContext().withIdentity(identity);
        context.setAuthorizer(authorizer);
        return new APIGatewayProxyRequestEvent().withRequestContext(context);
    }

    @Test
    void of_prefersAuthorizerThenIamThenApiKeyFingerprint_andNeverExposesTheKey() {
        RequestIdentity all = new RequestIdentity().withUserArn("arn:aws:sts::1:assumed-role/jobs/x").withApiKey("s3cr3t");
        assertThat(CallerIdentities.of(event(Map.of("principalId", "ann"), all))).isEqualTo(new Caller("ann", "authorizer"));
        assertThat(CallerIdentities.of(event(null, all))).isEqualTo(new Caller("arn:aws:sts::1:assumed-role/jobs/x", "iam"));
        Caller key = CallerIdentities.of(event(null, new RequestIdentity().withApiKey("s3cr3t")));
        assertThat(key.kind()).isEqualTo("api-key");
        // printf %s s3cr3t | sha256sum | cut -c1-16
        assertThat(key.name()).isEqualTo("key-sha256:" + "4e738ca5563c06cf").doesNotContain("s3cr3t");
    }

    @Test
    void of_withoutAnyIdentity_isUnknown() {
        assertThat(CallerIdentities.of(new APIGatewayProxyRequestEvent())).isEqualTo(Caller.UNKNOWN);
        assertThat(CallerIdentities.of(event(Map.of("principalId", " "), new RequestIdentity()))).isEqualTo(Caller.UNKNOWN);
    }
}
