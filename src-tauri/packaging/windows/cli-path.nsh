; Hooks for Tauri's NSIS installer (bundle.windows.nsis.installerHooks in
; tauri.windows.conf.json): the folder holding loova.exe (the install folder,
; beside loova-desk.exe) goes on the user's PATH at install and comes off it
; at uninstall, so `loova` works in a new terminal.
;
; Only the user PATH (HKCU\Environment), matching Tauri's default per-user
; install. NSIS strings hold NSIS_MAX_STRLEN characters: a PATH that long
; cannot be read whole, and writing back a cut value would lose entries, so
; it is left untouched and the installer says how to add the folder by hand.

!include "LogicLib.nsh"
!include "WinMessages.nsh"

; $R0 = PATH with every entry equal to $INSTDIR (any case, with or without a
; trailing backslash) removed. Input: $R0. Uses $R1-$R4.
!macro LOOVA_PATH_WITHOUT_INSTDIR un
Function ${un}LoovaPathWithoutInstdir
  StrCpy $R1 ""        ; the result
  StrCpy $R2 "$R0;"    ; what is left to read, ';'-terminated
  ${Do}
    ${If} $R2 == ""
      ${Break}
    ${EndIf}
    ; $R3 = the next entry, $R2 = the rest after its ';'
    StrCpy $R4 0
    ${Do}
      StrCpy $R3 $R2 1 $R4
      ${If} $R3 == ";"
        ${Break}
      ${EndIf}
      IntOp $R4 $R4 + 1
    ${Loop}
    StrCpy $R3 $R2 $R4
    IntOp $R4 $R4 + 1
    StrCpy $R2 $R2 "" $R4
    ${If} $R3 == ""
    ${OrIf} $R3 == "$INSTDIR"
    ${OrIf} $R3 == "$INSTDIR\"
      ${Continue}
    ${EndIf}
    ${If} $R1 == ""
      StrCpy $R1 $R3
    ${Else}
      StrCpy $R1 "$R1;$R3"
    ${EndIf}
  ${Loop}
  StrCpy $R0 $R1
FunctionEnd
!macroend
!insertmacro LOOVA_PATH_WITHOUT_INSTDIR ""
!insertmacro LOOVA_PATH_WITHOUT_INSTDIR "un."

; $R0 = the user PATH; $R5 = "ok", "absent" (no user PATH yet) or "long"
; (present but longer than NSIS can hold). Uses $R1-$R2.
!macro LOOVA_READ_USER_PATH un
Function ${un}LoovaReadUserPath
  ClearErrors
  ReadRegStr $R0 HKCU "Environment" "Path"
  ${IfNot} ${Errors}
    StrLen $R1 $R0
    IntOp $R1 $R1 + 1
    ${If} $R1 >= ${NSIS_MAX_STRLEN}
      StrCpy $R5 "long"
    ${Else}
      StrCpy $R5 "ok"
    ${EndIf}
    Return
  ${EndIf}
  ; An error is "no such value" or "too long to read": only a value named
  ; Path that exists tells the second from the first.
  StrCpy $R5 "absent"
  StrCpy $R1 0
  ${Do}
    ClearErrors
    EnumRegValue $R2 HKCU "Environment" $R1
    ${If} ${Errors}
    ${OrIf} $R2 == ""
      ${Break}
    ${EndIf}
    ${If} $R2 == "Path"
      StrCpy $R5 "long"
      ${Break}
    ${EndIf}
    IntOp $R1 $R1 + 1
  ${Loop}
  StrCpy $R0 ""
FunctionEnd
!macroend
!insertmacro LOOVA_READ_USER_PATH ""
!insertmacro LOOVA_READ_USER_PATH "un."

!macro NSIS_HOOK_POSTINSTALL
  Push $R0
  Push $R1
  Push $R2
  Push $R3
  Push $R4
  Push $R5
  Call LoovaReadUserPath
  ${If} $R5 == "long"
    DetailPrint "Your PATH is too long for the installer to change safely: add $INSTDIR to it to use loova in a terminal."
    MessageBox MB_ICONINFORMATION|MB_OK "Your PATH is too long for the installer to change safely. To use the loova command in a terminal, add this folder to your user PATH (Settings → System → About → Advanced system settings → Environment Variables):$\r$\n$\r$\n$INSTDIR" /SD IDOK
  ${Else}
    Call LoovaPathWithoutInstdir
    ${If} $R0 == ""
      StrCpy $R0 "$INSTDIR"
    ${Else}
      StrCpy $R0 "$R0;$INSTDIR"
    ${EndIf}
    WriteRegExpandStr HKCU "Environment" "Path" $R0
    SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=5000
    DetailPrint "Added $INSTDIR to your PATH: open a new terminal and run loova."
  ${EndIf}
  Pop $R5
  Pop $R4
  Pop $R3
  Pop $R2
  Pop $R1
  Pop $R0
!macroend

!macro NSIS_HOOK_POSTUNINSTALL
  Push $R0
  Push $R1
  Push $R2
  Push $R3
  Push $R4
  Push $R5
  Call un.LoovaReadUserPath
  ${If} $R5 == "ok"
    Call un.LoovaPathWithoutInstdir
    ${If} $R0 == ""
      DeleteRegValue HKCU "Environment" "Path"
    ${Else}
      WriteRegExpandStr HKCU "Environment" "Path" $R0
    ${EndIf}
    SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=5000
  ${EndIf}
  Pop $R5
  Pop $R4
  Pop $R3
  Pop $R2
  Pop $R1
  Pop $R0
!macroend
