/**
 * Upstream: the public registry. Watches projects on PyPI-compatible indexes and raises a critical
 * alert for any file there the gate did not approve; inspects new releases of watched
 * dependencies; promotes approved releases upstream exactly once (docs/PUBLISHING-TO-PYPI.md).
 */
package dev.portcullis.upstream;
