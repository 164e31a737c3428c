package io.github.tcpserver.autoconfigure;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.github.tcpserver.actuate.HttpRequestMemoryMetrics;
import io.github.tcpserver.protocol.http.HttpLimits;

/**
 * Auto-configuration of the HTTP/1.1 protocol: the {@link HttpLimits} bean, bound from
 * {@code tcp.server.http.*}, that an application passes to its {@code HttpServerHandler} (every
 * handler built with it shares its request memory budget), and the budget's meters.
 */
@AutoConfiguration(afterName = { "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
		"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" })
@ConditionalOnBooleanProperty(name = "tcp.server.enabled", matchIfMissing = true)
@EnableConfigurationProperties(TcpServerHttpProperties.class)
public final class TcpServerHttpAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	HttpLimits httpLimits(TcpServerHttpProperties properties) {
		return properties.toLimits();
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	@ConditionalOnBean(MeterRegistry.class)
	static class RequestMemoryMetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		HttpRequestMemoryMetrics httpRequestMemoryMetrics(HttpLimits httpLimits) {
			return new HttpRequestMemoryMetrics(httpLimits.requestMemory());
		}

	}

}
