/**
 * The PyPI protocols: the legacy upload API twine and uv speak ({@code POST /legacy/}), the Simple
 * Repository API pip and uv install from (PEP 503 HTML, PEP 691 JSON, PEP 700, PEP 714, PEP 592),
 * the {@code /pypi/<project>/json} API and file downloads.
 */
package dev.portcullis.registry.pypi;
