package io.github.tcpserver.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.core.io.support.SpringFactoriesLoader;

import io.github.tcpserver.actuate.TcpServerEndpoint;
import io.github.tcpserver.context.SocketHandler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hints a native image needs, as Spring's AOT engine finds them: through
 * {@code META-INF/spring/aot.factories}, not by calling the registrar directly.
 */
class TcpServerRuntimeHintsTests {

	private final RuntimeHints hints = registeredHints();

	private static RuntimeHints registeredHints() {
		RuntimeHints hints = new RuntimeHints();
		SpringFactoriesLoader.forResourceLocation("META-INF/spring/aot.factories")
			.load(RuntimeHintsRegistrar.class)
			.forEach((registrar) -> registrar.registerHints(hints, TcpServerRuntimeHintsTests.class.getClassLoader()));
		return hints;
	}

	@Test
	void theSocketHandlerAnnotationCanBeReadAndSynthesized() {
		assertThat(RuntimeHintsPredicates.reflection()
			.onType(SocketHandler.class)
			.withMemberCategory(MemberCategory.INVOKE_DECLARED_METHODS)).accepts(this.hints);
		assertThat(RuntimeHintsPredicates.proxies().forInterfaces(SocketHandler.class)).accepts(this.hints);
	}

	@Test
	void thePropertiesCanBeBound() throws Exception {
		assertThat(RuntimeHintsPredicates.reflection().onType(TcpServerProperties.class)).accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(TcpServerProperties.class, "setPort"))
			.accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(TcpServerHttpProperties.class)).accepts(this.hints);
	}

	@Test
	void theEndpointsResponsesCanBeSerialized() {
		assertThat(RuntimeHintsPredicates.reflection().onType(TcpServerEndpoint.ServerDescriptor.class))
			.accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection()
			.onMethodInvocation(TcpServerEndpoint.ConnectionDescriptor.class, "remoteAddress")).accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(TcpServerEndpoint.Totals.class, "activeConnections"))
			.accepts(this.hints);
	}

}
