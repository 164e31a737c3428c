/**
 * Plugs a framing codec between the reactor and a protocol: {@link io.github.tcpserver.protocol.FramingHandler}
 * decodes each connection's bytes into whole frames for a {@link io.github.tcpserver.protocol.FrameHandler}.
 */
package io.github.tcpserver.protocol;
