package dev.flowgate.alerter.adapter;

import dev.flowgate.alerter.domain.ExecutionTrace;
import dev.flowgate.alerter.domain.FailureAnalyzer;
import dev.flowgate.alerter.domain.HistoryEvent;
import dev.flowgate.alerter.port.ExecutionHistory;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.GetExecutionHistoryResponse;
import software.amazon.awssdk.services.sfn.model.ResourceNotFoundException;
import software.amazon.awssdk.services.sfn.model.Tag;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Step Functions behind {@link ExecutionHistory}: ListTagsForResource, DescribeExecution and
 * GetExecutionHistory (reverseOrder, pages of 100, stops as soon as the failed state is in hand, at most
 * {@code maxPages} pages). Events are sorted by id as well, since emulators may ignore reverseOrder.
 */
public final class SfnExecutionHistory implements ExecutionHistory {
    private final SfnClient sfn;
    private final int maxPages;

    public SfnExecutionHistory(SfnClient sfn, int maxPages) {
        this.sfn = sfn;
        this.maxPages = maxPages;
    }

    @Override
    public Map<String, String> tags(String stateMachineArn) {
        try {
            return sfn.listTagsForResource(r -> r.resourceArn(stateMachineArn)).tags().stream()
                    .collect(Collectors.toMap(Tag::key, Tag::value, (a, b) -> b));
        } catch (ResourceNotFoundException e) {
            return Map.of();
        }
    }

    @Override
    public ExecutionTrace trace(String executionArn) {
        DescribeExecutionResponse d;
        try {
            d = sfn.describeExecution(r -> r.executionArn(executionArn));
        } catch (ExecutionDoesNotExistException e) {
            return new ExecutionTrace(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), List.of());
        }
        List<HistoryEvent> events = new ArrayList<>();
        String token = null;
        for (int page = 0; page < maxPages; page++) {
            String next = token;
            GetExecutionHistoryResponse response = sfn.getExecutionHistory(r -> r.executionArn(executionArn)
                    .reverseOrder(true).maxResults(100).includeExecutionData(true).nextToken(next));
            response.events().forEach(e -> events.add(toDomain(e)));
            events.sort(Comparator.comparingLong(HistoryEvent::id).reversed());
            token = response.nextToken();
            if (token == null || FailureAnalyzer.complete(events)) {
                break;
            }
        }
        return new ExecutionTrace(Optional.ofNullable(d.startDate()), Optional.ofNullable(d.stopDate()),
                Optional.ofNullable(d.error()), Optional.ofNullable(d.cause()), events);
    }

    static HistoryEvent toDomain(software.amazon.awssdk.services.sfn.model.HistoryEvent e) {
        String type = e.typeAsString();
        String state = e.stateEnteredEventDetails() != null ? e.stateEnteredEventDetails().name()
                : e.stateExitedEventDetails() != null ? e.stateExitedEventDetails().name() : null;
        String error = null;
        String cause = null;
        String resourceType = null;
        String resource = null;
        if (e.taskFailedEventDetails() != null) {
            error = e.taskFailedEventDetails().error();
            cause = e.taskFailedEventDetails().cause();
            resourceType = e.taskFailedEventDetails().resourceType();
            resource = e.taskFailedEventDetails().resource();
        } else if (e.taskTimedOutEventDetails() != null) {
            error = e.taskTimedOutEventDetails().error();
            cause = e.taskTimedOutEventDetails().cause();
            resourceType = e.taskTimedOutEventDetails().resourceType();
            resource = e.taskTimedOutEventDetails().resource();
        } else if (e.taskSubmitFailedEventDetails() != null) {
            error = e.taskSubmitFailedEventDetails().error();
            cause = e.taskSubmitFailedEventDetails().cause();
        } else if (e.taskStartFailedEventDetails() != null) {
            error = e.taskStartFailedEventDetails().error();
            cause = e.taskStartFailedEventDetails().cause();
        } else if (e.lambdaFunctionFailedEventDetails() != null) {
            error = e.lambdaFunctionFailedEventDetails().error();
            cause = e.lambdaFunctionFailedEventDetails().cause();
        } else if (e.lambdaFunctionTimedOutEventDetails() != null) {
            error = e.lambdaFunctionTimedOutEventDetails().error();
            cause = e.lambdaFunctionTimedOutEventDetails().cause();
        } else if (e.activityFailedEventDetails() != null) {
            error = e.activityFailedEventDetails().error();
            cause = e.activityFailedEventDetails().cause();
        } else if (e.mapRunFailedEventDetails() != null) {
            error = e.mapRunFailedEventDetails().error();
            cause = e.mapRunFailedEventDetails().cause();
        } else if (e.executionFailedEventDetails() != null) {
            error = e.executionFailedEventDetails().error();
            cause = e.executionFailedEventDetails().cause();
        } else if (e.executionTimedOutEventDetails() != null) {
            error = e.executionTimedOutEventDetails().error();
            cause = e.executionTimedOutEventDetails().cause();
        } else if (e.executionAbortedEventDetails() != null) {
            error = e.executionAbortedEventDetails().error();
            cause = e.executionAbortedEventDetails().cause();
        }
        Instant at = e.timestamp() == null ? Instant.EPOCH : e.timestamp();
        return new HistoryEvent(e.id() == null ? 0 : e.id(), type, at, state, error, cause, resourceType, resource);
    }
}
