package dev.flowgate.deployer.adapter;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flowgate.deployer.domain.DeployError;
import dev.flowgate.deployer.port.FlowCompiler.JobDefinition;
import dev.flowgate.deployer.port.JobDefinitionRegistry;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.batch.BatchClient;
import software.amazon.awssdk.services.batch.model.JobDefinitionType;
import software.amazon.awssdk.services.batch.model.RegisterJobDefinitionRequest;

import java.io.IOException;
import java.util.List;

/**
 * AWS Batch RegisterJobDefinition for each job definition the compiler emitted, skipping names already ACTIVE
 * (the compiler names them by a hash of their content, so an existing name is the same definition). The
 * compiler's JSON is Batch's own request shape; it is read into the SDK's request builder.
 */
public final class BatchJobDefinitionRegistry implements JobDefinitionRegistry {
    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
    private final BatchClient batch;

    public BatchJobDefinitionRegistry(BatchClient batch) {
        this.batch = batch;
    }

    @Override
    public void register(List<JobDefinition> definitions) {
        for (JobDefinition definition : definitions) {
            try {
                boolean active = batch.describeJobDefinitions(r -> r.jobDefinitionName(definition.name()).status("ACTIVE"))
                        .jobDefinitions().stream().anyMatch(d -> definition.name().equals(d.jobDefinitionName()));
                if (!active) {
                    batch.registerJobDefinition(request(definition));
                }
            } catch (SdkException e) {
                throw new DeployError.Unavailable("AWS Batch refused job definition " + definition.name() + ": "
                        + e.getMessage(), e);
            }
        }
    }

    static RegisterJobDefinitionRequest request(JobDefinition definition) {
        try {
            Object builder = JSON.readValue(definition.registrationJson(), RegisterJobDefinitionRequest.serializableBuilderClass());
            RegisterJobDefinitionRequest request = ((RegisterJobDefinitionRequest.Builder) builder).build();
            if (!definition.name().equals(request.jobDefinitionName()) || request.type() == JobDefinitionType.UNKNOWN_TO_SDK_VERSION) {
                throw new IllegalArgumentException("job definition " + definition.name() + " is malformed");
            }
            return request;
        } catch (IOException e) {
            throw new IllegalArgumentException("job definition " + definition.name() + " is not a RegisterJobDefinition"
                    + " request: " + e.getMessage(), e);
        }
    }
}
