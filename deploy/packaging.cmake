# Debian packages with CPack (included from the top-level CMakeLists): `make package` runs
# deploy/package.sh, which builds the targets, runs cpack -G DEB and lintian.
#
#   intake-kiosk  the device: intake-kiosk, intakectl, the catalogues, units, udev rule, machine
#                 policy (nftables, sysctl, journald, coredump, limits, logind, unattended-upgrades),
#                 intake-kiosk-provision
#   hq-intake     headquarters: hq-intake, its service, hq-intake-provision
#
# Every destination is relative to "/" (CPACK_PACKAGING_INSTALL_PREFIX): these rules describe a
# package's file tree, not a `cmake --install` into /usr/local. Units, udev rules and the
# kiosk's drop-ins go where Debian 12's own packages put them (/lib/systemd/system,
# /lib/udev/rules.d: bookworm's usr-merge moratorium).
set(IK_DEPLOY ${PROJECT_SOURCE_DIR}/deploy)
# cpack runs the install step, which by default first builds `all` (every test and benchmark):
# package.sh builds the three executables itself.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

# Hardening of the shipped executables (lintian's hardening checks): full RELRO and
# immediate binding. PIE and the stack protector are Debian gcc's defaults already.
foreach(t intake-kiosk intakectl hq-intake)
  target_link_options(${t} PRIVATE -Wl,-z,relro -Wl,-z,now)
endforeach()

# --- intake-kiosk ------------------------------------------------------------------------------
install(TARGETS intake-kiosk intakectl RUNTIME DESTINATION usr/bin COMPONENT kiosk)
install(PROGRAMS ${IK_DEPLOY}/provision-kiosk.sh DESTINATION usr/sbin RENAME intake-kiosk-provision COMPONENT kiosk)
install(PROGRAMS ${IK_DEPLOY}/libexec/usb-mount DESTINATION usr/libexec/intake-kiosk COMPONENT kiosk)
# The .po catalogues, compiled by ui/ (ik_catalogues) into <build>/share/locale.
foreach(lang az ru en)
  install(FILES ${IK_LOCALE_DIR}/${lang}/LC_MESSAGES/intake-kiosk.mo
          DESTINATION usr/share/locale/${lang}/LC_MESSAGES COMPONENT kiosk)
endforeach()
install(FILES
  ${IK_DEPLOY}/systemd/intake-kiosk.service
  ${IK_DEPLOY}/systemd/intake-sync-usb@.service
  ${IK_DEPLOY}/systemd/intake-sync-net.service
  ${IK_DEPLOY}/systemd/intake-sync-net.timer
  ${IK_DEPLOY}/systemd/intake-sync-net.path
  ${IK_DEPLOY}/systemd/intake-firewall.service
  DESTINATION lib/systemd/system COMPONENT kiosk)
install(FILES ${IK_DEPLOY}/udev/90-intake-sync.rules DESTINATION lib/udev/rules.d COMPONENT kiosk)
install(FILES ${IK_DEPLOY}/policy/kiosk.toml ${IK_DEPLOY}/policy/nftables.nft
        DESTINATION etc/intake-kiosk COMPONENT kiosk)
install(FILES ${IK_DEPLOY}/policy/unattended-upgrades.conf DESTINATION etc/apt/apt.conf.d
        RENAME 52intake-kiosk-unattended-upgrades COMPONENT kiosk)
install(FILES ${IK_DEPLOY}/policy/limits.conf DESTINATION etc/security/limits.d RENAME intake-kiosk.conf COMPONENT kiosk)
install(FILES ${IK_DEPLOY}/policy/sysctl.conf DESTINATION usr/lib/sysctl.d RENAME 90-intake-kiosk.conf COMPONENT kiosk)
install(FILES ${IK_DEPLOY}/policy/tmpfiles.conf DESTINATION usr/lib/tmpfiles.d RENAME intake-kiosk.conf COMPONENT kiosk)
foreach(conf logind system journald coredump)
  install(FILES ${IK_DEPLOY}/policy/${conf}.conf DESTINATION usr/lib/systemd/${conf}.conf.d
          RENAME 90-intake-kiosk.conf COMPONENT kiosk)
endforeach()
install(FILES ${PROJECT_SOURCE_DIR}/docs/operations.md DESTINATION usr/share/doc/intake-kiosk COMPONENT kiosk)

# --- hq-intake ---------------------------------------------------------------------------------
install(TARGETS hq-intake RUNTIME DESTINATION usr/bin COMPONENT hq)
install(PROGRAMS ${IK_DEPLOY}/provision-hq.sh DESTINATION usr/sbin RENAME hq-intake-provision COMPONENT hq)
install(FILES ${IK_DEPLOY}/systemd/hq-intake.service DESTINATION lib/systemd/system COMPONENT hq)
install(FILES ${PROJECT_SOURCE_DIR}/docs/operations.md DESTINATION usr/share/doc/hq-intake COMPONENT hq)

# Manual pages, gzipped (-9n) by deploy/package.sh into <build>/deb-doc/man.
set(IK_MAN ${CMAKE_BINARY_DIR}/deb-doc/man)
install(FILES ${IK_MAN}/intake-kiosk.1.gz ${IK_MAN}/intakectl.1.gz DESTINATION usr/share/man/man1 COMPONENT kiosk OPTIONAL)
install(FILES ${IK_MAN}/intake-kiosk-provision.8.gz DESTINATION usr/share/man/man8 COMPONENT kiosk OPTIONAL)
install(FILES ${IK_MAN}/hq-intake.1.gz DESTINATION usr/share/man/man1 COMPONENT hq OPTIONAL)
install(FILES ${IK_MAN}/hq-intake-provision.8.gz DESTINATION usr/share/man/man8 COMPONENT hq OPTIONAL)

# copyright and changelog.Debian.gz per package: deploy/package.sh makes the gzip (-9n, no
# timestamp) into <build>/deb-doc before cpack runs.
foreach(comp_pkg kiosk:intake-kiosk hq:hq-intake)
  string(REPLACE ":" ";" cp ${comp_pkg})
  list(GET cp 0 comp)
  list(GET cp 1 pkg)
  install(FILES ${IK_DEPLOY}/debian/copyright DESTINATION usr/share/doc/${pkg} COMPONENT ${comp})
  install(FILES ${CMAKE_BINARY_DIR}/deb-doc/changelog.Debian.gz DESTINATION usr/share/doc/${pkg}
          COMPONENT ${comp} OPTIONAL)
endforeach()

# --- CPack -------------------------------------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME intake-kiosk)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "Intake Kiosk maintainers <maintainers@intake-kiosk.example.org>")
set(CPACK_PACKAGE_VENDOR "Intake Kiosk")
set(CPACK_PACKAGING_INSTALL_PREFIX "/")
set(CPACK_STRIP_FILES ON)
set(CPACK_COMPONENTS_ALL kiosk hq)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SOURCE intake-kiosk)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://intake-kiosk.example.org/")

set(CPACK_DEBIAN_KIOSK_PACKAGE_NAME intake-kiosk)
set(CPACK_DEBIAN_KIOSK_PACKAGE_SECTION admin)
# Beyond the shared libraries dpkg-shlibdeps finds: what the kiosk runs and reads at run time.
# seatd: seat access for cage without a logind session (see intake-kiosk.service).
set(CPACK_DEBIAN_KIOSK_PACKAGE_DEPENDS
  "adduser, systemd (>= 252), udev, cage (>= 0.1.4), xwayland, seatd, libseat1, libgl1-mesa-dri, fonts-dejavu-core, iso-codes, nftables, mount, unattended-upgrades")
# (CPack indents the continuation lines itself.)
set(CPACK_COMPONENT_KIOSK_DESCRIPTION
  "Intake Kiosk: the locked-down intake kiosk of a shelter
The touch-screen intake kiosk of a counter-trafficking shelter (intake-kiosk,
under the cage kiosk compositor on tty1), its command-line tool intakectl,
and the machine around them: the sync agent's hardened units (USB stick via
udev, network sync to headquarters on a timer), the nftables firewall, kernel
and journal hardening, automatic security updates, and intake-kiosk-provision,
which turns a fresh Debian 12 installation into a kiosk.")
set(CPACK_DEBIAN_KIOSK_PACKAGE_CONTROL_EXTRA
  ${IK_DEPLOY}/debian/kiosk/postinst ${IK_DEPLOY}/debian/kiosk/prerm ${IK_DEPLOY}/debian/kiosk/postrm
  ${IK_DEPLOY}/debian/kiosk/conffiles)

set(CPACK_DEBIAN_HQ_PACKAGE_NAME hq-intake)
set(CPACK_DEBIAN_HQ_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_HQ_PACKAGE_DEPENDS "adduser, systemd (>= 252), openssl")
set(CPACK_COMPONENT_HQ_DESCRIPTION
  "Intake Kiosk headquarters: receives and reads the shelters' sealed records
hq-intake creates headquarters' keys, enrols and revokes devices, receives
sealed bundles from the kiosks (USB folder or HTTPS service), imports them,
recovers a device's database key, and reports. Includes the hq-intake service
and hq-intake-provision.")
set(CPACK_DEBIAN_HQ_PACKAGE_CONTROL_EXTRA
  ${IK_DEPLOY}/debian/hq/postinst ${IK_DEPLOY}/debian/hq/prerm ${IK_DEPLOY}/debian/hq/postrm)

include(CPack)
