/**
 * WebSocket (RFC 6455) on the HTTP listener: the pure frame codec, the opening handshake as an
 * {@link io.github.tcpserver.protocol.http.HttpUpgradeHandler}, and the application's
 * {@link io.github.tcpserver.protocol.websocket.WebSocketHandler} API.
 */
package io.github.tcpserver.protocol.websocket;
