package io.github.tcpserver.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a {@link SocketHandlerConfigurationException} at start-up.
 */
class SocketHandlerConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<SocketHandlerConfigurationException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, SocketHandlerConfigurationException cause) {
		return new FailureAnalysis(cause.getMessage(), cause.getAction(), cause);
	}

}
