package dev.portcullis.registry.pypi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CoreMetadataTest {

  @Test
  void readsCoreMetadataHeaders() {
    byte[] raw = "Metadata-Version: 2.1\nName: foo\nVersion: 1.0\nSummary: x\n\nName: not-a-header\n".getBytes();
    CoreMetadata metadata = CoreMetadata.parse(raw).orElseThrow();
    assertThat(metadata.name()).isEqualTo("foo");
    assertThat(metadata.version()).isEqualTo("1.0");
    assertThat(CoreMetadata.parse("Summary: only\n".getBytes())).isEmpty();
  }
}
