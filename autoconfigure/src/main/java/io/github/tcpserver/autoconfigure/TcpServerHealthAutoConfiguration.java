package io.github.tcpserver.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

import io.github.tcpserver.actuate.TcpServerHealthIndicator;
import io.github.tcpserver.core.SelectorServer;

/**
 * Auto-configuration of the {@code tcpServer} health indicator, when Spring Boot's health support
 * is on the class path; switched off with {@code management.health.tcpserver.enabled=false}.
 */
@AutoConfiguration(after = TcpServerAutoConfiguration.class,
		beforeName = "org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration")
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(SelectorServer.class)
@ConditionalOnEnabledHealthIndicator("tcpserver")
public final class TcpServerHealthAutoConfiguration {

	/** Named so that the contributor is {@code tcpServer} (Boot drops the "HealthIndicator" suffix). */
	@Bean
	@ConditionalOnMissingBean(name = "tcpServerHealthIndicator")
	TcpServerHealthIndicator tcpServerHealthIndicator(SelectorServer selectorServer) {
		return new TcpServerHealthIndicator(selectorServer);
	}

}
