package io.github.tcpserver.autoconfigure;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;

import java.time.Duration;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.github.tcpserver.actuate.TcpServerEndpoint;
import io.github.tcpserver.context.SocketHandler;
import io.github.tcpserver.core.SelectorServer;
import io.github.tcpserver.protocol.http.HttpLimits;
import io.github.tcpserver.protocol.http.HttpResponse;
import io.github.tcpserver.protocol.http.HttpRouter;
import io.github.tcpserver.protocol.http.HttpServerHandler;

import static org.assertj.core.api.Assertions.assertThat;

class TcpServerHttpAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TcpServerAutoConfiguration.class, TcpServerHttpAutoConfiguration.class))
		.withPropertyValues("tcp.server.port=0", "tcp.server.address=127.0.0.1");

	@Test
	void whenNothingIsSetThenTheLimitsAreTheDefaults() {
		this.runner.withPropertyValues("tcp.server.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(HttpLimits.class));
		this.runner.withUserConfiguration(HttpConfiguration.class)
			.run((context) -> {
				HttpLimits limits = context.getBean(HttpLimits.class);
				assertThat(limits).usingRecursiveComparison().ignoringFields("requestMemory").isEqualTo(HttpLimits.defaults());
				assertThat(limits.requestMemory().max()).isEqualTo(HttpLimits.DEFAULT_REQUEST_MEMORY);
			});
	}

	@Test
	void whenLimitsAreSetThenAnHttpHandlerAppliesThem() {
		this.runner.withUserConfiguration(HttpConfiguration.class)
			.withPropertyValues("tcp.server.http.max-body-size=4B", "tcp.server.http.max-header-size=2KB",
					"tcp.server.http.max-request-line=100B", "tcp.server.http.max-pipelined-requests=3")
			.run((context) -> {
				assertThat(context.getBean(HttpLimits.class)).usingRecursiveComparison()
					.ignoringFields("requestMemory")
					.isEqualTo(new HttpLimits(100, 2048, 4, 3));
				int port = context.getBean(SelectorServer.class).port("http");
				HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
				URI uri = URI.create("http://127.0.0.1:" + port + "/echo");
				assertThat(client.send(java.net.http.HttpRequest.newBuilder(uri).POST(BodyPublishers.ofString("1234")).build(),
						BodyHandlers.ofString()).body()).isEqualTo("1234");
				assertThat(client.send(java.net.http.HttpRequest.newBuilder(uri).POST(BodyPublishers.ofString("12345")).build(),
						BodyHandlers.ofString()).statusCode()).isEqualTo(413);
			});
	}

	@Test
	void whenALimitIsOutOfRangeThenStartUpFailsNamingIt() {
		this.runner.withUserConfiguration(HttpConfiguration.class)
			.withPropertyValues("tcp.server.http.max-pipelined-requests=0")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("tcp.server.http.max-pipelined-requests"));
	}

	@Test
	void whenSecurityLimitsAreSetThenTheSharedBudgetIsShownByTheEndpointAndTheMeters() {
		this.runner.withUserConfiguration(HttpConfiguration.class)
			.withConfiguration(AutoConfigurations.of(TcpServerEndpointAutoConfiguration.class, MetricsAutoConfiguration.class))
			.withBean(SimpleMeterRegistry.class)
			.withPropertyValues("tcp.server.http.max-request-memory=3MB", "tcp.server.http.min-request-body-rate=2KB",
					"tcp.server.http.request-body-grace-period=2s", "management.endpoints.web.exposure.include=tcpserver")
			.run((context) -> {
				HttpLimits limits = context.getBean(HttpLimits.class);
				assertThat(limits.minRequestBodyRate()).isEqualTo(2048);
				assertThat(limits.requestBodyGracePeriod()).isEqualTo(Duration.ofSeconds(2));
				assertThat(limits.requestMemory().max()).isEqualTo(3 * 1024 * 1024);
				limits.requestMemory().tryReserve(1000);
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(registry.get("tcp.server.http.request.memory.used").gauge().value()).isEqualTo(1000);
				assertThat(registry.get("tcp.server.http.request.memory.max").gauge().value()).isEqualTo(3 * 1024 * 1024);
				assertThat(context.getBean(TcpServerEndpoint.class).server(null, null).httpRequestMemory())
					.isEqualTo(new TcpServerEndpoint.RequestMemory(1000, 3 * 1024 * 1024, 0));
			});
	}

	@Test
	void whenNoRequestMemoryIsSetThenOneMaximalBodyAlwaysFits() {
		this.runner.withUserConfiguration(HttpConfiguration.class)
			.withPropertyValues("tcp.server.http.max-body-size=100MB")
			.run((context) -> assertThat(context.getBean(HttpLimits.class).requestMemory().max())
				.isEqualTo(100 * 1024 * 1024));
	}

	@Configuration(proxyBeanMethods = false)
	static class HttpConfiguration {

		@Bean
		@SocketHandler
		HttpServerHandler http(HttpLimits limits) {
			return new HttpServerHandler(new HttpRouter().post("/echo", (request) -> HttpResponse.ok().body(request.body())),
					limits);
		}

	}

}
