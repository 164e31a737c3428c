/**
 * Micrometer Observation adapters of the server's hooks: one observation per HTTP request
 * ({@link io.github.tcpserver.protocol.http.HttpExchangeObserver}) and one per call of an
 * offloaded handler ({@link io.github.tcpserver.blocking.OffloadedCallObserver}), each named by a
 * convention the application can replace.
 */
package io.github.tcpserver.observation;
