package dev.flowgate.metadata.adapter;

import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

class TaskShardsTest {

    @Test
    void ofName_isCrc32OfTheUtf8Bytes_asScriptsBenchMetadataModelsIt() {
        // python3 -c "import zlib; print(zlib.crc32('flüß'.encode()) % 32)"
        assertThat(TaskShards.ofName("abc")).isEqualTo(2);
        assertThat(TaskShards.ofName("fa8c0e3e-1b8e-4a52-9c1f-0d7f5c3f2a11:0")).isEqualTo(18);
        assertThat(TaskShards.ofName("flüß")).isEqualTo(12);
    }

    @Test
    void aNamedTasksNumber_pointsBackToTheShardOfItsName_andNeverMeetsARunCountersNumber() {
        IntStream.range(0, TaskShards.COUNT).forEach(shard -> LongStream.rangeClosed(1, 1000).forEach(seq -> {
            long number = TaskShards.namedNumber(shard, seq);
            assertThat(TaskShards.ofNumber(number)).isEqualTo(shard);
            assertThat(number).isGreaterThan(TaskShards.NAMED_BASE);
        }));
    }

    @Test
    void theShardPartitionKey_extendsTheRunsKey_andCannotBeAnotherRunsKey() {
        assertThat(TaskShards.pk("F", 1, 5)).isEqualTo("RUN#F#1#05");
        assertThat(TaskShards.pk("F", 1, 5)).isNotEqualTo(DynamoDbMetadataStore.runPk("F", 105));
    }
}
