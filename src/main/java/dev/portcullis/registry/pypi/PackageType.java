package dev.portcullis.registry.pypi;

/** The distribution kinds PyPI accepts today; the wire names are the upload form's {@code filetype}. */
public enum PackageType {
    SDIST("sdist"),
    WHEEL("bdist_wheel");

    private final String wireName;

    PackageType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static PackageType fromWire(String filetype) {
        for (PackageType type : values()) {
            if (type.wireName.equals(filetype)) {
                return type;
            }
        }
        throw new IllegalArgumentException(
                "Invalid value for filetype. Error: Use a known file type (sdist or bdist_wheel).");
    }
}
