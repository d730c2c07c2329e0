package dev.sluice.stack;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServiceTest {

    @Test
    void addsZooKeeperForTheServicesThatNeedIt() {
        assertThat(Service.withDependencies(EnumSet.of(Service.HBASE))).containsExactly(Service.ZOOKEEPER, Service.HBASE);
        assertThat(Service.withDependencies(EnumSet.of(Service.SOLR, Service.KAFKA)))
                .containsExactly(Service.ZOOKEEPER, Service.KAFKA, Service.SOLR);
        assertThat(Service.withDependencies(EnumSet.of(Service.HDFS))).containsExactly(Service.HDFS);
    }

    @Test
    void defaultsAreEverythingButYarn() {
        assertThat(Service.DEFAULTS).isEqualTo(EnumSet.complementOf(EnumSet.of(Service.YARN)));
    }

    @Test
    void parsesIdsAndNamesTheKnownOnesOnATypo() {
        assertThat(Service.fromId(" Kafka ")).isEqualTo(Service.KAFKA);
        assertThatThrownBy(() -> Service.fromId("hbsae"))
                .hasMessage("unknown service 'hbsae'; known services: zookeeper, kafka, hbase, solr, hdfs, yarn");
    }
}
