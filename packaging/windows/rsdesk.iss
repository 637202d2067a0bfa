; Inno Setup script for the one-folder bundle built by packaging/rsdesk.spec.
#define AppName "rsdesk"
#define AppVersion "0.1.0"

[Setup]
AppId={{6C1E5B8A-5E43-4D55-9B8E-2F7E0D6B1A11}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=rsdesk developers
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
OutputBaseFilename=rsdesk-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
ArchitecturesInstallIn64BitMode=x64compatible

[Files]
Source: "..\..\dist\rsdesk\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\rsdesk"; Filename: "{app}\rsdesk.exe"
