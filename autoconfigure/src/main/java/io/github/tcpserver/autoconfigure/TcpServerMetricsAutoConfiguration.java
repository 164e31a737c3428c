package io.github.tcpserver.autoconfigure;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import io.github.tcpserver.actuate.ConnectionDurationMeter;
import io.github.tcpserver.actuate.TcpServerMetricsBinder;
import io.github.tcpserver.core.SelectorServer;

/**
 * Auto-configuration of the TCP server's Micrometer meters ({@code tcp.server.*}), when Micrometer
 * is on the class path and the application has a {@link MeterRegistry}: the counters and gauges
 * the server keeps, and the connection-duration timer fed at each close.
 */
@AutoConfiguration(after = TcpServerAutoConfiguration.class,
		afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
				"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({ MeterRegistry.class, SelectorServer.class })
public final class TcpServerMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	TcpServerMetricsBinder tcpServerMetricsBinder(MeterRegistry meterRegistry) {
		return new TcpServerMetricsBinder(meterRegistry);
	}

	@Bean
	@ConditionalOnMissingBean
	ConnectionDurationMeter tcpServerConnectionDurationMeter(MeterRegistry meterRegistry) {
		return new ConnectionDurationMeter(meterRegistry);
	}

}
